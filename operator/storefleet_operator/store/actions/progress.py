"""Status changes shared by the provisioning actions (pure)."""

from __future__ import annotations

from datetime import datetime

from storefleet_operator.models import Phase, StoreStatus, mark_reconciling
from storefleet_operator.store import status as st


def in_progress(
    status: StoreStatus,
    reason: str,
    message: str,
    *,
    generation: int | None,
    now: datetime,
    phase: Phase = "Provisioning",
) -> StoreStatus:
    """Work is going on: enter ``phase`` (history on change), Reconciling=True, Ready=Unknown."""
    status = st.transition(status, phase, reason, message, now)
    conditions = mark_reconciling(status.conditions, reason, message, generation=generation, now=now)
    return status.model_copy(update={"conditions": conditions, "queue": None})
