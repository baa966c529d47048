"""Wait: something outside this pass is in progress (a live helm operation, an old namespace still
terminating); say so and look again shortly. Not a failure: no attempt is counted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from storefleet_operator.models import Reason
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.actions.progress import in_progress
from storefleet_operator.store.context import Deps, Next, Pass

POLL_SECONDS: Final = 2.0


@dataclass(frozen=True)
class Wait(Action):
    """Something outside our control is in progress (a live helm operation); look again soon."""

    message: str = ""

    async def run(self, p: Pass, deps: Deps) -> Next:
        message = f"Waiting: {self.message}"
        p.status = in_progress(p.status, Reason.PROVISIONING, message, generation=p.generation, now=deps.clock())
        return Next(POLL_SECONDS, message)
