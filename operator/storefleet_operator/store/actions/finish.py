"""Finish (deletion): nothing of the store is left; the finalizer may be removed."""

from __future__ import annotations

from storefleet_operator.models import Reason
from storefleet_operator.store import status as st
from storefleet_operator.store.context import IDLE, Deps, Next, Pass
from storefleet_operator.store.decide import Finish


async def run(p: Pass, deps: Deps, action: Finish) -> Next:
    namespace, now = p.snapshot.namespace, deps.clock()
    if st.get_step(p.status, st.STEP_DELETE_NAMESPACE) is not None:
        p.status = st.succeed_step(p.status, st.STEP_DELETE_NAMESPACE, f"Namespace {namespace} is gone", now)
    message = f"Store deleted: release {p.store.metadata.name} and namespace {namespace} are gone"
    deps.gate.forget(p.snapshot.key)
    deps.telemetry.forget(p.snapshot.key)
    p.emit(st.normal(Reason.DELETING, message))
    return IDLE
