"""Install: the first revision of the store's release (or a fresh one after a failed first install)."""

from __future__ import annotations

from dataclasses import dataclass

from storefleet_operator.models import Reason
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.actions.helm_release import apply_release
from storefleet_operator.store.context import Deps, Next, Pass


@dataclass(frozen=True)
class Install(Action):
    needs_slot: bool = True

    async def run(self, p: Pass, deps: Deps) -> Next:
        return await apply_release(
            p,
            deps,
            verb="Installing",
            progress_reason=Reason.INSTALLING,
            failure_reason=Reason.HELM_INSTALL_FAILED,
            why="",
        )
