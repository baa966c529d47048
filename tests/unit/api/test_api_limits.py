"""Rate limits and lockout as pure decisions (the cluster tests show they hold across replicas)."""

from __future__ import annotations

import pytest

from storefleet_api.services.limits import Counter, lock_verdict, record_failure, seconds_until, take_slot

pytestmark = pytest.mark.unit

WINDOW = 900.0


def attempts(n: int, *, limit: int, start: float = 1000.0, step: float = 1.0) -> list[bool]:
    counter: Counter | None = None
    allowed = []
    for i in range(n):
        counter, verdict = take_slot(counter, start + i * step, limit=limit, window_seconds=WINDOW)
        allowed.append(verdict.allowed)
    return allowed


def test_ten_login_attempts_pass_and_the_eleventh_is_refused() -> None:
    assert attempts(11, limit=10) == [True] * 10 + [False]


def test_a_refused_attempt_says_when_the_window_ends() -> None:
    counter: Counter | None = None
    for i in range(10):
        counter, _ = take_slot(counter, 1000.0 + i, limit=10, window_seconds=WINDOW)
    _, verdict = take_slot(counter, 1100.0, limit=10, window_seconds=WINDOW)
    assert not verdict.allowed and verdict.retry_after == 800  # window began at 1000, ends at 1900


def test_the_attempt_that_uses_the_last_slot_is_marked() -> None:
    counter: Counter | None = None
    marks = []
    for i in range(3):
        counter, verdict = take_slot(counter, 1000.0 + i, limit=3, window_seconds=WINDOW)
        marks.append(verdict.limit_reached_now)
    assert marks == [False, False, True]


def test_a_new_window_starts_fresh_after_the_old_one_ends() -> None:
    counter: Counter | None = None
    for i in range(10):
        counter, _ = take_slot(counter, 1000.0 + i, limit=10, window_seconds=WINDOW)
    counter, verdict = take_slot(counter, 1000.0 + WINDOW, limit=10, window_seconds=WINDOW)
    assert verdict.allowed and counter.count == 1


def test_a_refused_attempt_changes_nothing_so_nothing_is_written() -> None:
    counter: Counter | None = None
    for i in range(2):
        counter, _ = take_slot(counter, 1000.0 + i, limit=2, window_seconds=WINDOW)
    after, verdict = take_slot(counter, 1005.0, limit=2, window_seconds=WINDOW)
    assert not verdict.allowed and after == counter


def fail(times: int, *, now: float = 1000.0, counter: Counter | None = None) -> tuple[Counter | None, list[bool]]:
    outcomes = []
    for i in range(times):
        counter, verdict = record_failure(counter, now + i, threshold=5, window_seconds=WINDOW, lockout_seconds=900.0)
        outcomes.append(verdict.allowed)
    return counter, outcomes


def test_the_fifth_failure_locks_the_account() -> None:
    counter, outcomes = fail(5)
    assert outcomes == [True, True, True, True, False]
    verdict = lock_verdict(counter, 1010.0)
    assert not verdict.allowed and verdict.retry_after == 894  # locked at 1004 for 900 s


def test_the_lock_ends_after_its_duration() -> None:
    counter, _ = fail(5)
    assert not lock_verdict(counter, 1004.0 + 899.5).allowed
    assert lock_verdict(counter, 1004.0 + 900.0).allowed


def test_failures_spread_over_more_than_the_window_do_not_lock() -> None:
    counter: Counter | None = None
    for i in range(8):
        counter, verdict = record_failure(
            counter, 1000.0 + i * 300.0, threshold=5, window_seconds=WINDOW, lockout_seconds=900.0
        )
        assert verdict.allowed, f"failure {i + 1} locked although only ~3 fall in any 15 minutes"


def test_failing_while_locked_does_not_extend_the_lock() -> None:
    counter, _ = fail(5)
    assert counter is not None
    again, verdict = record_failure(counter, 1100.0, threshold=5, window_seconds=WINDOW, lockout_seconds=900.0)
    assert not verdict.allowed and again.locked_until == counter.locked_until


def test_a_counter_expires_when_both_its_window_and_its_lock_are_over() -> None:
    counter, _ = fail(5)
    assert counter is not None
    assert counter.expires_at == counter.locked_until
    assert Counter(count=1, window_start=10.0, window_seconds=WINDOW).expires_at == 10.0 + WINDOW


@pytest.mark.parametrize(
    ("moment", "now", "expected"),
    [
        pytest.param(100.0, 99.9, 1, id="fraction-rounds-up"),
        pytest.param(100.0, 100.0, 1, id="never-zero"),
        pytest.param(100.0, 40.0, 60, id="whole-seconds"),
    ],
)
def test_retry_after_is_whole_seconds_and_never_too_early(moment: float, now: float, expected: int) -> None:
    assert seconds_until(moment, now) == expected
