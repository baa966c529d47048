"""ClearLeftover: a Store's namespace exists but was made for an earlier Store of the same name (another
uid), which is gone. Delete it (its release and data go with it) before this Store makes its own; the
next passes wait for it to be gone like any terminating namespace. Counted as a collected orphan."""

from __future__ import annotations

from dataclasses import dataclass

from storefleet_operator.adapters.kube import KubeError
from storefleet_operator.models import Reason
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.context import Deps, Next, Pass, StepFailed

POLL_SECONDS = 1.0


@dataclass(frozen=True)
class ClearLeftover(Action):
    """Delete the namespace an earlier Store of the same name left behind, before making our own."""

    async def run(self, p: Pass, deps: Deps) -> Next:
        namespace, now = p.snapshot.namespace, deps.clock()
        message = f"Removing namespace {namespace}, left behind by an earlier Store of the same name"
        p.status = st.start_step(p.status, st.STEP_NAMESPACE, message, now)
        await p.confirm_wanted()  # only this Store's own provisioning may clear the way for it
        try:
            await deps.kube.delete_namespace(namespace)
        except KubeError as exc:
            raise StepFailed(
                st.STEP_NAMESPACE, Reason.NAMESPACE_FAILED, f"cannot remove the leftover namespace {namespace}: {exc}"
            ) from None
        deps.telemetry.orphan_collected("namespace")
        p.status = st.progress_step(p.status, st.STEP_NAMESPACE, message)
        p.emit(st.normal(Reason.ORPHAN_COLLECTED, message))
        return Next(POLL_SECONDS, message)
