"""Upgrade: a new revision because the spec, the platform's values or the chart changed, the last
revision failed, or a workload it rendered was deleted by hand (helm makes it again). Status says why."""

from __future__ import annotations

from dataclasses import dataclass

from storefleet_operator.models import Reason
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.actions.helm_release import apply_release
from storefleet_operator.store.context import Deps, Next, Pass
from storefleet_operator.store.snapshot import ReleaseState, Snapshot


def why(s: Snapshot) -> str:
    """A short reason for the upgrade, for status and the Event."""
    if s.release.state is ReleaseState.FAILED:
        return " (its last revision failed)"
    generation = s.store.metadata.generation
    if s.store.status.observed_generation not in (None, generation):
        return f" to apply generation {generation} of the spec"
    if s.release.state is ReleaseState.IN_SYNC and s.rollout.missing:
        return f" to make again what was deleted outside it: {', '.join(s.rollout.missing)}"
    return " (its values or chart changed)"


@dataclass(frozen=True)
class Upgrade(Action):
    needs_slot: bool = True

    async def run(self, p: Pass, deps: Deps) -> Next:
        return await apply_release(
            p,
            deps,
            verb="Upgrading",
            progress_reason=Reason.UPGRADING,
            failure_reason=Reason.HELM_UPGRADE_FAILED,
            why=why(p.snapshot),
        )
