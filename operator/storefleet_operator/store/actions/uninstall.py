"""Uninstall (deletion): ``helm uninstall --wait`` of the store's release, whatever state it is in.

A release helm cannot uninstall after the attempts are used up is left to the namespace deletion that
follows (helm keeps its records as Secrets in that namespace), so deletion always completes.
"""

from __future__ import annotations

from dataclasses import dataclass

from storefleet_operator.adapters.helm import HelmFailed
from storefleet_operator.models import Reason
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.actions.progress import in_progress
from storefleet_operator.store.context import NOW, Deps, Next, Pass, StepFailed


@dataclass(frozen=True)
class Uninstall(Action):
    async def run(self, p: Pass, deps: Deps) -> Next:
        release, namespace, now = p.store.metadata.name, p.snapshot.namespace, deps.clock()
        message = f"Uninstalling release {release} from namespace {namespace}"
        p.status = st.start_step(p.status, st.STEP_UNINSTALL, message, now)
        p.status = in_progress(p.status, Reason.DELETING, message, generation=p.generation, now=now, phase="Deleting")
        await p.checkpoint()
        try:
            await deps.helm.uninstall(namespace, release, timeout_seconds=deps.settings.helm_timeout_seconds, wait=True)
        except HelmFailed as exc:
            raise StepFailed(st.STEP_UNINSTALL, Reason.HELM_UNINSTALL_FAILED, str(exc)) from None
        done = f"Uninstalled release {release}"
        p.status = st.succeed_step(p.status, st.STEP_UNINSTALL, done, deps.clock())
        p.emit(st.normal(Reason.DELETING, done))
        return NOW
