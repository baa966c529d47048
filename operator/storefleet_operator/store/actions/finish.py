"""Finish (deletion): nothing of the store is left; the finalizer may be removed."""

from __future__ import annotations

from dataclasses import dataclass

from storefleet_operator.models import Reason
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.context import IDLE, Deps, Next, Pass


@dataclass(frozen=True)
class Finish(Action):
    """Deletion is complete: nothing of the store is left, the finalizer may go."""

    async def run(self, p: Pass, deps: Deps) -> Next:
        namespace, now = p.snapshot.namespace, deps.clock()
        if st.get_step(p.status, st.STEP_DELETE_NAMESPACE) is not None:
            p.status = st.succeed_step(p.status, st.STEP_DELETE_NAMESPACE, f"Namespace {namespace} is gone", now)
        message = f"Store deleted: release {p.store.metadata.name} and namespace {namespace} are gone"
        deps.gate.release(p.snapshot.key)
        deps.telemetry.forget(p.snapshot.key)
        p.emit(st.normal(Reason.DELETING, message))
        return IDLE
