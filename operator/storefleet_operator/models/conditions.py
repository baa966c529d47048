"""Condition types, reasons, and pure helpers that keep Ready/Reconciling/Stalled kstatus-consistent.

Conventions (cli-utils kstatus, Flux): ``Reconciling`` and ``Stalled`` are "abnormal-true" and are
removed when they no longer apply; ``Ready`` is always present once the operator has looked at the
object. Every helper takes the list and returns a new one; nothing here mutates or does I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from storefleet_operator.contract import Reason as Reason
from storefleet_operator.models.common import Condition, ConditionStatus

# Condition types.
READY: Final = "Ready"
RECONCILING: Final = "Reconciling"
STALLED: Final = "Stalled"
SUSPENDED: Final = "Suspended"
"""True while spec.suspend pauses reconciliation; absent otherwise."""
RELEASED: Final = "Released"
"""The Helm release is installed/upgraded at the wanted values and its workloads rolled out."""
ENGINE_CONFIGURED: Final = "EngineConfigured"
"""Engine setup (WooCommerce/Medusa bootstrap) completed for the current recipe version."""
SIMULATED: Final = "Simulated"
"""True when the store's pods were scheduled on a simulated node (kwok): they never run, so nothing is
served. Set from where the pods landed, never from the engine."""
NAMESPACE_READY: Final = "NamespaceReady"
"""Tenant: its namespace, quota and RBAC exist."""


def get_condition(conditions: Sequence[Condition], type_: str) -> Condition | None:
    """The condition of ``type_``, or None if it is absent."""
    return next((c for c in conditions if c.type == type_), None)


def is_true(conditions: Sequence[Condition], type_: str) -> bool:
    found = get_condition(conditions, type_)
    return found is not None and found.status == "True"


def set_condition(
    conditions: Sequence[Condition],
    type_: str,
    status: ConditionStatus,
    reason: str,
    message: str,
    *,
    observed_generation: int | None,
    now: datetime,
) -> list[Condition]:
    """Return ``conditions`` with ``type_`` set; its position is kept, a new type is appended.

    ``lastTransitionTime`` moves only when the status changes, so it answers "since when is this
    store not Ready?" rather than "when did the operator last write?".
    """
    old = get_condition(conditions, type_)
    changed_at = old.last_transition_time if old is not None and old.status == status else now
    new = Condition(
        type=type_,
        status=status,
        reason=reason,
        message=message,
        last_transition_time=changed_at,
        observed_generation=observed_generation,
    )
    if old is None:
        return [*conditions, new]
    return [new if c.type == type_ else c for c in conditions]


def remove_condition(conditions: Sequence[Condition], type_: str) -> list[Condition]:
    return [c for c in conditions if c.type != type_]


# The summary helpers below are the only way the operator should touch Ready/Reconciling/Stalled, so
# the three can never contradict each other (e.g. Ready=True while Stalled=True).


def mark_reconciling(
    conditions: Sequence[Condition], reason: str, message: str, *, generation: int | None, now: datetime
) -> list[Condition]:
    """Work in progress (including a failure that will be retried): Reconciling=True, Ready=Unknown."""
    out = set_condition(conditions, RECONCILING, "True", reason, message, observed_generation=generation, now=now)
    out = set_condition(out, READY, "Unknown", reason, message, observed_generation=generation, now=now)
    return remove_condition(out, STALLED)


def mark_ready(
    conditions: Sequence[Condition], reason: str, message: str, *, generation: int | None, now: datetime
) -> list[Condition]:
    """Converged: Ready=True; Reconciling and Stalled removed."""
    out = set_condition(conditions, READY, "True", reason, message, observed_generation=generation, now=now)
    return remove_condition(remove_condition(out, RECONCILING), STALLED)


def mark_suspended(
    conditions: Sequence[Condition], message: str, *, generation: int | None, now: datetime
) -> list[Condition]:
    """Paused by spec.suspend: Suspended=True; Reconciling removed (nothing is in progress any more).
    Ready and Stalled keep describing the last result, as Flux does for a suspended object."""
    out = set_condition(
        conditions, SUSPENDED, "True", Reason.SUSPENDED, message, observed_generation=generation, now=now
    )
    return remove_condition(out, RECONCILING)


def mark_stalled(
    conditions: Sequence[Condition], reason: str, message: str, *, generation: int | None, now: datetime
) -> list[Condition]:
    """Gave up until something changes (spec, retry annotation): Stalled=True, Ready=False."""
    out = set_condition(conditions, STALLED, "True", reason, message, observed_generation=generation, now=now)
    out = set_condition(out, READY, "False", reason, message, observed_generation=generation, now=now)
    return remove_condition(out, RECONCILING)


KStatus = Literal["InProgress", "Failed", "Current", "Terminating"]


@dataclass(frozen=True)
class Summary:
    """What kstatus (Flux, `kubectl wait`, Argo CD via health.lua) would conclude about an object."""

    status: KStatus
    message: str


def summarize(
    conditions: Sequence[Condition],
    *,
    generation: int | None,
    observed_generation: int | None,
    deleting: bool = False,
) -> Summary:
    """Compute the kstatus status the way cli-utils' generic reader does, with Ready as the fallback."""
    if deleting:
        return Summary("Terminating", "Pending deletion")
    if generation is not None and observed_generation != generation:
        return Summary("InProgress", f"Waiting for the operator to observe generation {generation}")
    reconciling = get_condition(conditions, RECONCILING)
    if reconciling is not None and reconciling.status == "True":
        return Summary("InProgress", reconciling.message or reconciling.reason)
    stalled = get_condition(conditions, STALLED)
    if stalled is not None and stalled.status == "True":
        return Summary("Failed", stalled.message or stalled.reason)
    ready = get_condition(conditions, READY)
    if ready is None:
        return Summary("InProgress", "Waiting for the Ready condition")
    if ready.status != "True":
        return Summary("InProgress", ready.message or ready.reason)
    return Summary("Current", ready.message or ready.reason)
