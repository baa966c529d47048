"""Unlock: free a release stuck in ``pending-*`` that no helm command is working on any more.

Helm refuses every operation on such a release ("another operation is in progress"); it happens when
the operator is killed mid-install (helm/helm#8987, fluxcd/helm-controller#149). Roll back to the last
revision that ran, or uninstall when there is none, then let Install/Upgrade start over.
"""

from __future__ import annotations

from dataclasses import dataclass

from storefleet_operator.adapters.helm import HelmFailed
from storefleet_operator.models import RELEASED, Reason, set_condition
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.context import NOW, Deps, Next, Pass, StepFailed
from storefleet_operator.store.snapshot import ReleaseView


def plan(view: ReleaseView) -> int | None:
    """The revision to roll back to, or None to uninstall."""
    return view.last_deployed.number if view.last_deployed is not None else None


def describe(view: ReleaseView, release: str) -> str:
    latest = view.latest
    stuck = f"{latest.status} (revision {latest.number})" if latest else "a pending state"
    since = f" since {latest.updated.isoformat()}" if latest and latest.updated else ""
    target = plan(view)
    fix = f"rolled it back to revision {target}" if target is not None else "uninstalled it"
    return (
        f"Release {release} was stuck in {stuck}{since} with no helm operation running on it "
        f"(an operator restart or a timeout): {fix} so provisioning can continue"
    )


@dataclass(frozen=True)
class Unlock(Action):
    """Free a release stuck in pending-*: roll back to the last good revision, or uninstall."""

    needs_slot: bool = True

    async def run(self, p: Pass, deps: Deps) -> Next:
        view, release, namespace = p.snapshot.release, p.store.metadata.name, p.snapshot.namespace
        target = plan(view)
        now = deps.clock()
        p.status = st.start_step(p.status, st.STEP_RELEASE, f"Unlocking release {release}", now)
        timeout = deps.settings.helm_timeout_seconds
        await p.confirm_wanted()  # a rollback writes a new revision
        try:
            if target is None:
                await deps.helm.uninstall(namespace, release, timeout_seconds=timeout, wait=True)
            else:
                await deps.helm.rollback(namespace, release, target, timeout_seconds=timeout)
        except HelmFailed as exc:
            reason = Reason.HELM_INSTALL_FAILED if target is None else Reason.HELM_UPGRADE_FAILED
            raise StepFailed(st.STEP_RELEASE, reason, f"cannot unlock release {release}: {exc}") from None
        message = describe(view, release)
        # The helm-release step stays Running: unlocking and the install that follows are one attempt.
        p.status = st.progress_step(p.status, st.STEP_RELEASE, message)
        conditions = set_condition(
            p.status.conditions,
            RELEASED,
            "Unknown",
            Reason.RELEASE_UNLOCKED,
            message,
            observed_generation=p.generation,
            now=deps.clock(),
        )
        p.status = p.status.model_copy(update={"conditions": conditions})
        p.emit(st.normal(Reason.RELEASE_UNLOCKED, message))
        return NOW
