"""Suspend: spec.suspend is true, so the operator changes nothing of the store (Flux's convention).

Suspended=True says so; Reconciling goes (nothing is in progress); Ready and Stalled keep describing
the last result. The provisioning slot is given back. Resuming (suspend false or removed) is a spec
change like any other: ``status.begin_pass`` drops the condition and the next pass carries on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from storefleet_operator.models import SUSPENDED, Reason, Store, StoreStatus, get_condition, mark_suspended
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.context import IDLE, Deps, Next, Pass

MESSAGE: Final = "Reconciliation is suspended (spec.suspend: true); set it to false to resume"


def suspended(store: Store, status: StoreStatus, *, now: datetime) -> StoreStatus:
    conditions = mark_suspended(status.conditions, MESSAGE, generation=store.metadata.generation, now=now)
    return status.model_copy(update={"conditions": conditions, "queue": None})


@dataclass(frozen=True)
class Suspend(Action):
    """spec.suspend is true: change nothing, say so (Suspended=True), until it is false again."""

    async def run(self, p: Pass, deps: Deps) -> Next:
        deps.gate.release(p.snapshot.key)
        already = get_condition(p.status.conditions, SUSPENDED) is not None
        p.status = suspended(p.store, p.status, now=deps.clock())
        if not already:
            p.emit(st.normal(Reason.SUSPENDED, MESSAGE))
        return IDLE
