"""Queue: every provisioning slot is taken; wait in line, visibly (Reconciling=True, reason Queued)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from storefleet_operator.models import Phase, QueueStatus, Reason, StoreStatus, mark_reconciling
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.context import Deps, Next, Pass
from storefleet_operator.store.gate import SlotView

POLL_SECONDS: Final = 60.0
"""A queued store is woken when a slot frees (or it changes); this is only the fallback re-check, and it
keeps the store's place in line (the gate drops waiters silent for longer than its ``stale_after``). A
long re-check matters with a large backlog: each re-check may rewrite the shown place in the status
(see EXACT_POSITIONS). At 20 s, 725 stores queued behind a 1000-store burst made 36 passes a second
and most of 26 000 status PATCHes in 17 minutes, and the burst ran at a third of the 100-store rate."""
EXACT_POSITIONS: Final = 10
"""Places shown exactly. Further back the shown place is an upper bound from a 1-2-5 ladder (20, 50,
100, 200, 500, 1000, ...), so a queued store's status changes a handful of times on its way to the
front, not each time the line moves. Rounding to tens still rewrote the status of most queued stores
at every re-check: 14 Store status PATCHes a second with 800 queued, three quarters of them from
stores that were only waiting, and each one a watch event for every watcher of Stores."""


def shown_position(position: int) -> int:
    """``position`` itself near the front, else the next bound of the 1-2-5 ladder at or above it."""
    if position <= EXACT_POSITIONS:
        return position
    scale = 10
    while True:
        for step in (2, 5, 10):
            if position <= step * scale:
                return step * scale
        scale *= 10


def queued(status: StoreStatus, view: SlotView, position: int, *, generation: int | None, now: datetime) -> StoreStatus:
    shown = shown_position(position)
    place = f"number {shown}" if shown <= EXACT_POSITIONS else f"within the first {shown}"
    message = f"Waiting for a provisioning slot: {place} in the queue ({view.limit} slots, all busy)"
    phase: Phase = "Requested" if status.phase in (None, "Requested") else "Provisioning"
    status = st.transition(status, phase, Reason.QUEUED, message, now)
    conditions = mark_reconciling(status.conditions, Reason.QUEUED, message, generation=generation, now=now)
    return status.model_copy(update={"conditions": conditions, "queue": QueueStatus(position=shown)})


@dataclass(frozen=True)
class Queue(Action):
    async def run(self, p: Pass, deps: Deps) -> Next:
        key = p.snapshot.key
        position = deps.gate.enqueue(key)
        first = p.status.queue is None
        p.status = queued(p.status, deps.gate.view(key), position, generation=p.generation, now=deps.clock())
        if first:
            p.emit(st.normal(Reason.QUEUED, f"Queued for provisioning: number {position} in line"))
        return Next(POLL_SECONDS, "queued")
