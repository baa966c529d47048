"""What a failed attempt does to status: count it, say when the next try is, or that none is left. Pure.

Every action's failure goes through ``record_failure``, so retries behave the same for every step: the
step's attempts and ``status.failures`` go up, Reconciling says what failed and when the next attempt
is, and once the attempts are used up the next decision is ``Stall`` (phase Failed, Stalled=True).
A failure marked permanent (retrying cannot help, e.g. helm refusing the values) uses them all at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from storefleet_operator.models import ENGINE_CONFIGURED, RELEASED, Reason, StoreStatus, mark_reconciling, set_condition
from storefleet_operator.retry import Backoff
from storefleet_operator.store import status as st
from storefleet_operator.store.status import Event, warning

# The domain condition a failure of each kind turns False, besides Ready/Reconciling.
_DOMAIN: Final = {
    Reason.HELM_INSTALL_FAILED: RELEASED,
    Reason.HELM_UPGRADE_FAILED: RELEASED,
    Reason.ROLLOUT_TIMED_OUT: RELEASED,
    Reason.ENGINE_SETUP_FAILED: ENGINE_CONFIGURED,
}


@dataclass(frozen=True)
class Recorded:
    status: StoreStatus
    event: Event
    delay: float
    """Seconds until the next attempt; 0 when the attempts are used up (Stall comes next)."""
    attempts: int
    exhausted: bool


def record_failure(
    status: StoreStatus,
    *,
    step: str,
    reason: str,
    message: str,
    permanent: bool,
    final: bool = False,
    attempts: int | None,
    max_attempts: int,
    backoff: Backoff,
    rand: float,
    generation: int | None,
    now: datetime,
) -> Recorded:
    current = st.get_step(status, step)
    if current is None or current.state not in ("Running", "Failed"):
        status = st.start_step(status, step, message, now)
        current = st.get_step(status, step)
    assert current is not None
    tries = attempts if attempts is not None else current.attempts
    if permanent or final:
        tries = max(tries, max_attempts)
    exhausted = tries >= max_attempts
    delay = 0.0 if exhausted else backoff.delay(tries, rand)
    if permanent:
        note = "retrying cannot help"
    elif final:
        note = "no attempts left"
    elif exhausted:
        note = f"attempt {tries}/{max_attempts}, no attempts left"
    else:
        note = f"attempt {tries}/{max_attempts}, retrying in {delay:.1f} s"
    text = f"{message} ({note})"
    status = st.fail_step(status, step, message, now, attempts=tries)
    conditions = mark_reconciling(status.conditions, reason, text, generation=generation, now=now)
    domain = _DOMAIN.get(reason)
    if domain is not None:
        conditions = set_condition(conditions, domain, "False", reason, text, observed_generation=generation, now=now)
    status = status.model_copy(update={"conditions": conditions, "failures": status.failures + 1})
    return Recorded(status, warning(reason, f"{step}: {text}"), delay, tries, exhausted)
