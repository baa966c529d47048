"""Stall: stop retrying until something changes (a spec change or a retry request): phase Failed,
Stalled=True, Ready=False, with a message naming the store, the step, what went wrong and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storefleet_operator.models import Reason, Store, StoreStatus, mark_stalled
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.context import IDLE, Deps, Next, Pass


def stalled(store: Store, status: StoreStatus, namespace: str, action: Stall, *, now: datetime) -> StoreStatus:
    step = st.get_step(status, action.step) if action.step else None
    attempts = step.attempts if step is not None and step.attempts else 1
    message = st.stall_message(store, namespace, action.step or "unknown", action.reason, action.message, attempts)
    if action.step and (step is None or step.state != "Failed"):
        status = st.fail_step(status, action.step, action.message, now, attempts=attempts)
    status = st.transition(status, "Failed", action.reason, message, now)
    conditions = mark_stalled(status.conditions, action.reason, message, generation=store.metadata.generation, now=now)
    return status.model_copy(update={"conditions": conditions, "queue": None})


@dataclass(frozen=True)
class Stall(Action):
    """Give up until something changes: phase Failed, Stalled=True, with what to do."""

    reason: str = Reason.RETRIES_EXHAUSTED
    step: str = ""
    message: str = ""

    async def run(self, p: Pass, deps: Deps) -> Next:
        deps.gate.release(p.snapshot.key)
        if p.snapshot.stalled and not self.message:
            return IDLE  # stalled earlier for this generation; nothing new to say
        p.status = stalled(p.store, p.status, p.snapshot.namespace, self, now=deps.clock())
        reason = self.reason if self.reason else Reason.RETRIES_EXHAUSTED
        message = next(c.message for c in p.status.conditions if c.type == "Stalled")
        p.emit(st.warning(reason, message))
        return IDLE
