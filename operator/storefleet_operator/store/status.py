"""Pure status shaping: steps with timings, phase transitions with history, resets, and messages.

Every function takes a ``StoreStatus`` and returns a new one (the models are frozen). The reconciler
owns *when* these are applied; this module owns *how* status looks, so the dashboard, ``kubectl
describe`` and the Events all read the same words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, Literal

from storefleet_operator import contract
from storefleet_operator.models import (
    STALLED,
    SUSPENDED,
    HistoryEntry,
    Phase,
    Reason,
    StepStatus,
    Store,
    StoreStatus,
    append_history,
    get_condition,
    mark_reconciling,
)
from storefleet_operator.models.events import Event as Event
from storefleet_operator.models.events import normal as normal
from storefleet_operator.models.events import warning as warning

# Provisioning and deletion steps, in the order they appear in status.steps. Engine setup steps (the
# recipe's own kebab-case names) come between wait-for-rollout and publish-urls.
STEP_NAMESPACE: Final = "create-namespace"
STEP_CREDENTIALS: Final = "create-credentials"
STEP_RELEASE: Final = "helm-release"
STEP_ROLLOUT: Final = "wait-for-rollout"
STEP_URLS: Final = "publish-urls"
STEP_UNINSTALL: Final = "helm-uninstall"
STEP_DELETE_NAMESPACE: Final = "delete-namespace"


def correlation_id(store: Store) -> str | None:
    """The gateway's request id for this store, if it set one (shown in Events and logs)."""
    value = store.metadata.annotations.get(contract.ANNOTATION_REQUEST_ID)
    return value[:128] if value else None


def with_correlation(event: Event, request_id: str | None) -> Event:
    if not request_id:
        return event
    return Event(event.type, event.reason, f"{event.message} [request {request_id}]")


# ---------- steps ----------


def get_step(status: StoreStatus, name: str) -> StepStatus | None:
    return next((s for s in status.steps if s.name == name), None)


def put_step(status: StoreStatus, step: StepStatus) -> StoreStatus:
    """Replace the step of the same name in place, or append it."""
    if get_step(status, step.name) is None:
        steps = [*status.steps, step]
    else:
        steps = [step if s.name == step.name else s for s in status.steps]
    return status.model_copy(update={"steps": steps})


def start_step(status: StoreStatus, name: str, message: str, now: datetime) -> StoreStatus:
    """Mark ``name`` Running. A new try (it was not Running) restarts its clock and counts an attempt;
    attempts count consecutive tries since the step last succeeded."""
    old = get_step(status, name)
    if old is not None and old.state == "Running":
        return put_step(status, old.model_copy(update={"message": message}))
    attempts = old.attempts + 1 if old is not None and old.state == "Failed" else 1
    step = StepStatus(name=name, state="Running", started_at=now, message=message, attempts=attempts)
    return put_step(status, step)


def progress_step(status: StoreStatus, name: str, message: str) -> StoreStatus:
    old = get_step(status, name)
    if old is None:
        return status
    return put_step(status, old.model_copy(update={"message": message}))


def _finish(
    status: StoreStatus,
    name: str,
    state: Literal["Succeeded", "Failed", "Skipped"],
    message: str,
    now: datetime,
    attempts: int | None,
) -> StoreStatus:
    old = get_step(status, name) or StepStatus(name=name, state="Pending", started_at=now, attempts=1)
    started = old.started_at or now
    duration = max(0, round((now - started).total_seconds() * 1000))
    update: dict[str, object] = {"state": state, "message": message, "duration_ms": duration, "started_at": started}
    if attempts is not None:
        update["attempts"] = attempts
    return put_step(status, old.model_copy(update=update))


def succeed_step(
    status: StoreStatus, name: str, message: str, now: datetime, *, attempts: int | None = None
) -> StoreStatus:
    return _finish(status, name, "Succeeded", message, now, attempts)


def fail_step(
    status: StoreStatus, name: str, message: str, now: datetime, *, attempts: int | None = None
) -> StoreStatus:
    return _finish(status, name, "Failed", message, now, attempts)


def step_duration_seconds(status: StoreStatus, name: str) -> float | None:
    step = get_step(status, name)
    return None if step is None or step.duration_ms is None else step.duration_ms / 1000


# ---------- phase and history ----------


def transition(status: StoreStatus, phase: Phase, reason: str, message: str, now: datetime) -> StoreStatus:
    """Enter ``phase``; a history entry is added only when the phase actually changes."""
    if status.phase == phase:
        return status
    entry = HistoryEntry(time=now, phase=phase, reason=reason, message=message)
    return status.model_copy(update={"phase": phase, "history": append_history(status.history, entry)})


def provisioning_started_at(store: Store) -> datetime | None:
    """When the current provisioning round began: the first of the trailing Requested/Provisioning
    history entries, else the Store's creation time."""
    started = None
    for entry in reversed(store.status.history):
        if entry.phase not in ("Requested", "Provisioning"):
            break
        started = entry.time
    return started or store.metadata.creation_timestamp


# ---------- resets ----------


def retry_requested(store: Store) -> str | None:
    """The new value of the requested-at annotation, if it has not been acted upon yet."""
    value = store.metadata.annotations.get(contract.ANNOTATION_REQUESTED_AT)
    if value and value != store.status.last_handled_requested_at:
        return value
    return None


def spec_changed(store: Store) -> bool:
    observed = store.status.observed_generation
    return observed is not None and store.metadata.generation is not None and observed != store.metadata.generation


def clear_failures(status: StoreStatus) -> StoreStatus:
    """Zero the failure counters: failed steps go back to Pending so their attempts start over."""
    steps = [
        s.model_copy(update={"state": "Pending", "attempts": 0}) if s.state in ("Failed", "Running") else s
        for s in status.steps
    ]
    conditions = [c for c in status.conditions if c.type != STALLED]
    return status.model_copy(update={"failures": 0, "steps": steps, "conditions": conditions})


def restart_setup(status: StoreStatus) -> StoreStatus:
    """A new generation re-runs engine setup (its steps are idempotent), e.g. to apply a new name."""
    if status.setup is None:
        return status
    return status.model_copy(update={"setup": status.setup.model_copy(update={"completed_steps": []})})


def is_stalled_for(store: Store) -> bool:
    stalled = get_condition(store.status.conditions, STALLED)
    return stalled is not None and stalled.status == "True" and stalled.observed_generation == store.metadata.generation


# ---------- messages ----------

_WHAT_TO_DO: Final = {
    "NamespaceConflict": "delete or rename the namespace {namespace} if it is not needed, or give the store "
    "another name",
    "HelmInstallFailed": "fix the chart or its values (the error above says which), then retry",
    "HelmUpgradeFailed": "fix the chart or its values (the error above says which), then retry",
    "RolloutTimedOut": "look at the pods with `kubectl -n {namespace} describe pods` (image pulls, quota, "
    "scheduling), fix the cause, then retry",
    "EngineSetupFailed": "look at the step's output above and the pod's logs in namespace {namespace}, fix the "
    "cause, then retry",
}


def stall_message(store: Store, namespace: str, step: str, reason: str, detail: str, attempts: int) -> str:
    """Which store, which step, what went wrong, and what to do: the text of Stalled and of the Event."""
    name = store.metadata.name
    hint = _WHAT_TO_DO.get(reason, "fix the cause shown above, then retry").format(namespace=namespace)
    tries = "attempt" if attempts == 1 else "attempts"
    return (
        f"Store {store.metadata.namespace}/{name} failed at step {step} after {attempts} {tries}: {detail}. "
        f"To do: {hint} with `kubectl -n {store.metadata.namespace} annotate store {name} "
        f"{contract.ANNOTATION_REQUESTED_AT}=$(date +%s) --overwrite` or POST /api/v1/stores/{name}/retry."
    )


# ---------- the start of a pass ----------


def begin_pass(store: Store, now: datetime) -> tuple[StoreStatus, list[Event]]:
    """Resets and acceptance that happen before anything is observed.

    - A new requested-at value resets the failure counters (the store is retried now).
    - A new generation resets them too and makes engine setup run again (Flux: spec change resets).
    - A store no longer suspended loses its Suspended condition (and says so in an Event).
    - A store seen for the first time enters phase Requested.
    """
    status, events = store.status, []
    retry = retry_requested(store)
    if retry is not None:
        status = clear_failures(status).model_copy(update={"last_handled_requested_at": retry})
        events.append(
            normal(
                Reason.RETRY_REQUESTED,
                f"Retry requested ({contract.ANNOTATION_REQUESTED_AT}={retry}): "
                "failure counters reset, reconciling again",
            )
        )
    if spec_changed(store):
        status = restart_setup(clear_failures(status))
    if not store.spec.suspend and get_condition(status.conditions, SUSPENDED) is not None:
        status = status.model_copy(update={"conditions": [c for c in status.conditions if c.type != SUSPENDED]})
        events.append(normal(Reason.RESUMED, "Reconciliation resumed (spec.suspend is no longer true)"))
    if status.phase is None:
        message = "Store accepted; provisioning starts when a slot is free"
        status = transition(status, "Requested", Reason.ACCEPTED, message, now)
        conditions = mark_reconciling(
            status.conditions, Reason.ACCEPTED, message, generation=store.metadata.generation, now=now
        )
        status = status.model_copy(update={"conditions": conditions})
        events.append(normal(Reason.ACCEPTED, message))
    return status, events


def status_patch(status: StoreStatus, generation: int | None) -> dict[str, object]:
    """The status as a merge patch: every top-level field present, absent ones as null (removed)."""
    status = status.model_copy(update={"observed_generation": generation})
    data: dict[str, object] = status.model_dump(mode="json", exclude_none=True)
    for name, info in StoreStatus.model_fields.items():
        data.setdefault(info.alias or name, None)
    return data
