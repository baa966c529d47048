"""DeleteNamespace (deletion): delete the store namespace (its PVCs, Secrets and everything else go with
it), then wait until it is gone, one short look per pass. A namespace that takes longer than the bound
is reported (Warning) and still waited for: the finalizer is never dropped with data left behind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from storefleet_operator.adapters.kube import KubeError
from storefleet_operator.models import Reason, StoreStatus
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.actions.progress import in_progress
from storefleet_operator.store.context import Deps, Next, Pass, StepFailed
from storefleet_operator.store.snapshot import NamespaceState

POLL_SECONDS: Final = 1.0
SLOW_POLL_SECONDS: Final = 10.0


def waited_seconds(status: StoreStatus, now: datetime) -> float:
    step = st.get_step(status, st.STEP_DELETE_NAMESPACE)
    if step is None or step.started_at is None:
        return 0.0
    return max(0.0, (now - step.started_at).total_seconds())


@dataclass(frozen=True)
class DeleteNamespace(Action):
    async def run(self, p: Pass, deps: Deps) -> Next:
        namespace, now = p.snapshot.namespace, deps.clock()
        bound = float(deps.settings.helm_timeout_seconds)
        if p.snapshot.namespace_state is not NamespaceState.TERMINATING:
            message = f"Deleting namespace {namespace} with everything in it (PVCs, Secrets, workloads)"
            p.status = st.start_step(p.status, st.STEP_DELETE_NAMESPACE, message, now)
            try:
                await deps.kube.delete_namespace(namespace)
            except KubeError as exc:
                raise StepFailed(
                    st.STEP_DELETE_NAMESPACE, Reason.DELETION_FAILED, f"cannot delete namespace {namespace}: {exc}"
                ) from None
            p.status = in_progress(
                p.status, Reason.DELETING, message, generation=p.generation, now=now, phase="Deleting"
            )
            p.emit(st.normal(Reason.DELETING, message))
            return Next(POLL_SECONDS, message)
        if st.get_step(p.status, st.STEP_DELETE_NAMESPACE) is None:
            p.status = st.start_step(p.status, st.STEP_DELETE_NAMESPACE, f"Deleting namespace {namespace}", now)
        waited = waited_seconds(p.status, now)
        message = f"Waiting for namespace {namespace} to be gone ({waited:.0f} s)"
        slow = waited > bound
        if slow:
            message += (
                f"; longer than {bound:.0f} s: look for finalizers on objects left in it "
                f"(kubectl get all,pvc -n {namespace})"
            )
            step = st.get_step(p.status, st.STEP_DELETE_NAMESPACE)
            if step is not None and "longer than" not in (step.message or ""):
                p.emit(st.warning(Reason.DELETION_FAILED, message))
        p.status = st.progress_step(p.status, st.STEP_DELETE_NAMESPACE, message)
        p.status = in_progress(p.status, Reason.DELETING, message, generation=p.generation, now=now, phase="Deleting")
        return Next(SLOW_POLL_SECONDS if slow else POLL_SECONDS, message)
