"""MarkReady: everything is in place; Ready=True (kstatus Current), the provisioning slot is freed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storefleet_operator.models import READY, Reason, Store, StoreStatus, get_condition, mark_ready
from storefleet_operator.store import placement
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.context import IDLE, Deps, Next, Pass


def already_ready(store: Store, status: StoreStatus) -> bool:
    ready = get_condition(status.conditions, READY)
    return (
        status.phase == "Ready"
        and ready is not None
        and ready.status == "True"
        and ready.observed_generation == store.metadata.generation
    )


def ready_message(status: StoreStatus) -> str:
    where = f" at {status.url}" if status.url else ""
    simulated = f" (simulated: {placement.SIMULATED_MESSAGE})" if status.simulated else ""
    return f"Store is ready{where}{simulated}"


def ready(status: StoreStatus, *, generation: int | None, now: datetime) -> StoreStatus:
    message = ready_message(status)
    status = st.transition(status, "Ready", Reason.SUCCEEDED, message, now)
    conditions = mark_ready(status.conditions, Reason.SUCCEEDED, message, generation=generation, now=now)
    return status.model_copy(update={"conditions": conditions, "queue": None, "failures": 0})


@dataclass(frozen=True)
class MarkReady(Action):
    async def run(self, p: Pass, deps: Deps) -> Next:
        deps.gate.release(p.snapshot.key)
        if already_ready(p.store, p.status):
            return IDLE
        await p.confirm_wanted()  # never announce a store that was deleted meanwhile
        now = deps.clock()
        started = st.provisioning_started_at(p.store)
        p.status = ready(p.status, generation=p.generation, now=now)
        took = ""
        if started is not None:
            seconds = (now - started).total_seconds()
            deps.telemetry.provisioned(p.store.spec.engine, seconds)
            took = f" (provisioned in {seconds:.0f} s)"
        p.emit(st.normal(Reason.SUCCEEDED, ready_message(p.status) + took))
        return IDLE
