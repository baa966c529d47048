"""Status shaping: steps with timings and attempts, phase history, resets, the patch, the messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.unit.operator.storekit import T0, condition, conditions_of, store

from storefleet_operator import contract
from storefleet_operator.models import HISTORY_LIMIT, Reason, StoreStatus
from storefleet_operator.retry import Backoff
from storefleet_operator.store import status as st
from storefleet_operator.store.failures import record_failure

pytestmark = pytest.mark.unit

T1 = T0 + timedelta(seconds=2, milliseconds=500)


def test_a_step_records_start_duration_and_attempts() -> None:
    status = st.start_step(StoreStatus(), "helm-release", "Installing", T0)
    status = st.succeed_step(status, "helm-release", "Installed", T1)
    [step] = status.steps
    assert (step.state, step.started_at, step.duration_ms, step.attempts, step.message) == (
        "Succeeded",
        T0,
        2500,
        1,
        "Installed",
    )


def test_attempts_count_consecutive_tries_since_the_last_success() -> None:
    status = StoreStatus()
    for _ in range(2):
        status = st.start_step(status, "helm-release", "try", T0)
        status = st.fail_step(status, "helm-release", "boom", T1)
    assert st.get_step(status, "helm-release").attempts == 2  # type: ignore[union-attr]
    status = st.start_step(status, "helm-release", "try", T0)
    status = st.start_step(status, "helm-release", "still running", T1)  # a poll, not a new try
    assert st.get_step(status, "helm-release").attempts == 3  # type: ignore[union-attr]
    status = st.succeed_step(status, "helm-release", "ok", T1)
    status = st.start_step(status, "helm-release", "upgrade", T1)
    assert st.get_step(status, "helm-release").attempts == 1  # type: ignore[union-attr]


def test_steps_keep_their_order_and_are_updated_in_place() -> None:
    status = StoreStatus()
    for name in ("create-namespace", "create-credentials", "helm-release"):
        status = st.start_step(status, name, name, T0)
    status = st.succeed_step(status, "create-credentials", "done", T1)
    assert [s.name for s in status.steps] == ["create-namespace", "create-credentials", "helm-release"]


def test_history_gets_an_entry_only_when_the_phase_changes_and_stays_bounded() -> None:
    status = st.transition(StoreStatus(), "Requested", Reason.ACCEPTED, "accepted", T0)
    status = st.transition(status, "Requested", Reason.QUEUED, "still", T0)
    assert [h.phase for h in status.history] == ["Requested"]
    for i in range(HISTORY_LIMIT + 5):
        status = st.transition(status, "Provisioning" if i % 2 else "Failed", Reason.PROVISIONING, str(i), T0)
    assert len(status.history) == HISTORY_LIMIT
    assert status.history[-1].message == str(HISTORY_LIMIT + 4)


def test_a_new_store_is_accepted_as_requested_with_an_event() -> None:
    status, events = st.begin_pass(store(), T0)
    assert status.phase == "Requested"
    assert [(h.phase, h.reason) for h in status.history] == [("Requested", "Accepted")]
    assert conditions_of(status)["Reconciling"].status == "True"
    assert [(e.type, e.reason) for e in events] == [("Normal", "Accepted")]


FAILED = {
    "phase": "Failed",
    "observedGeneration": 1,
    "failures": 3,
    "conditions": [condition("Stalled", "True", Reason.ROLLOUT_TIMED_OUT), condition("Ready", "False")],
    "steps": [{"name": "wait-for-rollout", "state": "Failed", "attempts": 3}],
    "setup": {"recipeVersion": "woocommerce/1", "completedSteps": ["wait-for-wp-config"]},
}


def test_a_retry_request_resets_the_counters_once() -> None:
    asked = store(annotations={contract.ANNOTATION_REQUESTED_AT: "1717000000"}, status=FAILED)
    status, events = st.begin_pass(asked, T0)
    assert status.failures == 0
    assert [(s.state, s.attempts) for s in status.steps] == [("Pending", 0)]
    assert "Stalled" not in conditions_of(status)
    assert status.last_handled_requested_at == "1717000000"
    assert status.setup is not None and status.setup.completed_steps == ["wait-for-wp-config"]  # resumes
    assert [e.reason for e in events] == ["RetryRequested"]
    handled = store(
        annotations={contract.ANNOTATION_REQUESTED_AT: "1717000000"},
        status={**FAILED, "lastHandledRequestedAt": "1717000000"},
    )
    assert st.begin_pass(handled, T0) == (handled.status, [])


def test_a_spec_change_resets_the_counters_and_reruns_engine_setup() -> None:
    changed = store(generation=2, status=FAILED)
    status, events = st.begin_pass(changed, T0)
    assert status.failures == 0
    assert "Stalled" not in conditions_of(status)
    assert status.setup is not None and status.setup.completed_steps == []
    assert events == []


def test_stalled_counts_only_for_the_generation_it_was_set_for() -> None:
    assert st.is_stalled_for(store(status=FAILED))
    assert not st.is_stalled_for(store(generation=2, status=FAILED))


def test_the_status_patch_removes_fields_that_are_gone() -> None:
    patch = st.status_patch(StoreStatus(phase="Ready", url="http://x"), 4)
    assert patch["phase"] == "Ready"
    assert patch["observedGeneration"] == 4
    assert patch["queue"] is None  # merge patch: null deletes a queue position left from before
    assert patch["credentialsSecret"] is None
    assert "observed_generation" not in patch


def test_the_stall_message_says_which_store_step_what_and_what_to_do() -> None:
    message = st.stall_message(
        store(), "store-shop-1", "wait-for-rollout", Reason.ROLLOUT_TIMED_OUT, "statefulset/shop-mariadb 0/1 ready", 3
    )
    for part in (
        "tenant-alice/shop",
        "wait-for-rollout",
        "after 3 attempts",
        "statefulset/shop-mariadb 0/1",
        "kubectl -n store-shop-1 describe pods",
        "storefleet.io/requested-at",
        "POST /api/v1/stores/shop/retry",
    ):
        assert part in message


def test_events_carry_the_gateway_request_id() -> None:
    tagged = store(annotations={contract.ANNOTATION_REQUEST_ID: "req-42"})
    event = st.with_correlation(st.normal("Installing", "Installing release shop"), st.correlation_id(tagged))
    assert event.message == "Installing release shop [request req-42]"
    assert st.with_correlation(event, None) == event


BACKOFF = Backoff(1.0, 8.0)


@pytest.mark.parametrize(
    ("attempts_before", "permanent", "delay", "exhausted", "note"),
    [
        pytest.param(0, False, 0.875, False, "attempt 1/3, retrying in 0.9 s", id="first-failure-backs-off"),
        pytest.param(1, False, 1.75, False, "attempt 2/3, retrying in 1.8 s", id="second-doubles"),
        pytest.param(2, False, 0.0, True, "attempt 3/3, no attempts left", id="third-is-the-last"),
        pytest.param(0, True, 0.0, True, "retrying cannot help", id="permanent-uses-all-attempts"),
    ],
)
def test_a_failure_counts_an_attempt_and_backs_off_until_none_are_left(
    attempts_before: int, permanent: bool, delay: float, exhausted: bool, note: str
) -> None:
    status = StoreStatus()
    if attempts_before:
        status = st.put_step(
            status,
            st.get_step(st.start_step(status, "helm-release", "x", T0), "helm-release").model_copy(
                update={"state": "Failed", "attempts": attempts_before}
            ),
        )  # type: ignore[union-attr]
    status = st.start_step(status, "helm-release", "Installing", T0)
    recorded = record_failure(
        status,
        step="helm-release",
        reason=Reason.HELM_INSTALL_FAILED,
        message="helm: values rejected",
        permanent=permanent,
        attempts=None,
        max_attempts=3,
        backoff=BACKOFF,
        rand=0.5,
        generation=1,
        now=T1,
    )
    assert recorded.delay == pytest.approx(delay)
    assert recorded.exhausted is exhausted
    step = st.get_step(recorded.status, "helm-release")
    assert step is not None and step.state == "Failed" and step.message == "helm: values rejected"
    conditions = conditions_of(recorded.status)
    assert conditions["Reconciling"].reason == Reason.HELM_INSTALL_FAILED
    assert conditions["Released"].status == "False"
    assert note in conditions["Reconciling"].message
    assert recorded.status.failures == 1
    assert (recorded.event.type, recorded.event.reason) == ("Warning", Reason.HELM_INSTALL_FAILED)
