"""Wait: something outside this pass is in progress (a live helm operation, an old namespace still
terminating); say so and look again shortly. Not a failure: no attempt is counted."""

from __future__ import annotations

from typing import Final

from storefleet_operator.models import Reason
from storefleet_operator.store.actions.progress import in_progress
from storefleet_operator.store.context import Deps, Next, Pass
from storefleet_operator.store.decide import Wait

POLL_SECONDS: Final = 2.0


async def run(p: Pass, deps: Deps, action: Wait) -> Next:
    message = f"Waiting: {action.message}"
    p.status = in_progress(p.status, Reason.PROVISIONING, message, generation=p.generation, now=deps.clock())
    return Next(POLL_SECONDS, message)
