"""Condition helpers: lastTransitionTime semantics, and Ready/Reconciling/Stalled never contradicting
each other, so `kubectl wait`, Flux and Argo CD read the same state the dashboard shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from storefleet_operator.models import (
    READY,
    RECONCILING,
    RELEASED,
    STALLED,
    Condition,
    Reason,
    get_condition,
    is_true,
    mark_ready,
    mark_reconciling,
    mark_stalled,
    set_condition,
    summarize,
)

pytestmark = pytest.mark.unit

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=5)


def cond(type_: str, status: str, reason: str = "Succeeded", message: str = "") -> Condition:
    return Condition.model_validate(
        {"type": type_, "status": status, "reason": reason, "message": message, "lastTransitionTime": T0}
    )


def types(conditions: list[Condition]) -> dict[str, str]:
    return {c.type: c.status for c in conditions}


def test_new_condition_is_appended_with_now() -> None:
    out = set_condition([cond(READY, "True")], RELEASED, "True", "InstallSucceeded", "", observed_generation=1, now=T1)
    assert [c.type for c in out] == [READY, RELEASED]
    released = get_condition(out, RELEASED)
    assert released is not None
    assert released.last_transition_time == T1 and released.observed_generation == 1


def test_same_status_keeps_transition_time_but_updates_reason_and_message() -> None:
    before = [cond(READY, "False", Reason.INSTALLING, "installing")]
    out = set_condition(
        before, READY, "False", Reason.WAITING_FOR_ROLLOUT, "rolling out", observed_generation=2, now=T1
    )
    ready = get_condition(out, READY)
    assert ready is not None
    assert (ready.last_transition_time, ready.reason, ready.message) == (T0, "WaitingForRollout", "rolling out")
    assert ready.observed_generation == 2


def test_status_change_moves_transition_time_and_keeps_position() -> None:
    before = [cond(READY, "False"), cond(RELEASED, "True")]
    out = set_condition(before, READY, "True", Reason.SUCCEEDED, "", observed_generation=1, now=T1)
    assert [c.type for c in out] == [READY, RELEASED]
    assert out[0].last_transition_time == T1
    assert before[0].status == "False"  # input untouched


@pytest.mark.parametrize(
    "reason",
    [pytest.param("helm failed", id="space"), pytest.param("", id="empty"), pytest.param("9Lives", id="digit-first")],
)
def test_reasons_must_be_camel_case(reason: str) -> None:
    with pytest.raises(ValidationError):
        set_condition([], READY, "False", reason, "", observed_generation=1, now=T0)


def test_all_reason_constants_are_valid_condition_reasons() -> None:
    names = [n for n in vars(Reason) if n.isupper()]
    assert len(names) > 15
    for name in names:
        set_condition([], READY, "False", getattr(Reason, name), "", observed_generation=None, now=T0)


MARKS = [
    pytest.param(mark_reconciling, {READY: "Unknown", RECONCILING: "True"}, "InProgress", id="reconciling"),
    pytest.param(mark_ready, {READY: "True"}, "Current", id="ready"),
    pytest.param(mark_stalled, {READY: "False", STALLED: "True"}, "Failed", id="stalled"),
]
STARTS = [
    pytest.param([], id="from-nothing"),
    pytest.param([cond(READY, "True"), cond(RELEASED, "True")], id="from-ready"),
    pytest.param([cond(READY, "False"), cond(STALLED, "True"), cond(RELEASED, "False")], id="from-stalled"),
    pytest.param([cond(READY, "Unknown"), cond(RECONCILING, "True")], id="from-reconciling"),
]


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize(("mark", "expected", "kstatus"), MARKS)
def test_summary_conditions_never_contradict(start, mark, expected, kstatus) -> None:  # type: ignore[no-untyped-def]
    out = mark(start, Reason.PROVISIONING, "working on it", generation=3, now=T1)
    summary_types = {t: s for t, s in types(out).items() if t in (READY, RECONCILING, STALLED)}
    assert summary_types == expected
    if RELEASED in types(start):  # domain conditions are left alone
        assert types(out)[RELEASED] == types(start)[RELEASED]
    assert summarize(out, generation=3, observed_generation=3).status == kstatus


@pytest.mark.parametrize(
    ("conditions", "generation", "observed", "deleting", "status", "message"),
    [
        pytest.param([cond(READY, "True")], 2, 2, True, "Terminating", "Pending deletion", id="deleting"),
        pytest.param([cond(READY, "True")], 3, 2, False, "InProgress", "observe generation 3", id="stale-status"),
        pytest.param([], 1, None, False, "InProgress", "observe generation 1", id="never-observed"),
        pytest.param([], 1, 1, False, "InProgress", "Waiting for the Ready condition", id="no-conditions"),
        pytest.param(
            [cond(READY, "Unknown"), cond(RECONCILING, "True", "WaitingForRollout", "rolling out")],
            1, 1, False, "InProgress", "rolling out", id="reconciling",
        ),
        pytest.param(
            [cond(READY, "False", "HelmInstallFailed"), cond(STALLED, "True", "HelmInstallFailed")],
            1, 1, False, "Failed", "HelmInstallFailed", id="stalled-reason-when-no-message",
        ),
        pytest.param(
            [cond(READY, "False", "Queued", "3rd in queue")], 1, 1, False, "InProgress", "3rd", id="not-ready"
        ),
        pytest.param([cond(READY, "True", message="ready")], 1, 1, False, "Current", "ready", id="ready"),
    ],
)  # fmt: skip
def test_summarize_follows_kstatus(conditions, generation, observed, deleting, status, message) -> None:  # type: ignore[no-untyped-def]
    summary = summarize(conditions, generation=generation, observed_generation=observed, deleting=deleting)
    assert summary.status == status
    assert message in summary.message


def test_is_true() -> None:
    conditions = [cond(READY, "True"), cond(STALLED, "False")]
    assert is_true(conditions, READY)
    assert not is_true(conditions, STALLED)
    assert not is_true(conditions, RECONCILING)
