"""The provisioning gate: a global limit, first come first served, no leaks."""

from __future__ import annotations

import pytest

from storefleet_operator.store.gate import ProvisioningGate

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_holds_and_the_rest_queue_in_order() -> None:
    gate = ProvisioningGate(2)
    assert gate.acquire("a") and gate.acquire("b")
    assert not gate.acquire("c")
    assert gate.enqueue("c") == 1
    assert gate.enqueue("d") == 2
    assert gate.view("d").position == 2
    assert (gate.in_flight, gate.depth) == (2, 2)
    gate.release("a")
    # d asked later than c: it may not jump the queue even though a slot is free.
    assert not gate.view("d").available
    assert gate.acquire("c")
    assert not gate.acquire("d")
    gate.release("b")
    assert gate.acquire("d")
    assert (gate.in_flight, gate.depth) == (2, 0)


def test_work_admitted_before_a_restart_resumes_over_the_limit_and_newcomers_wait() -> None:
    gate = ProvisioningGate(2)
    assert gate.acquire("new-1")  # a store that never started won the race to the fresh gate
    assert gate.acquire("was-provisioning-1", resuming=True)
    assert gate.acquire("was-provisioning-2", resuming=True)
    assert gate.in_flight == 3
    assert not gate.acquire("new-2")
    gate.release("new-1")
    assert not gate.acquire("new-2"), "still at the limit: the resumed stores hold their slots"
    gate.release("was-provisioning-1")
    assert gate.acquire("new-2")


def test_a_newcomer_waits_behind_the_queue() -> None:
    gate = ProvisioningGate(1)
    gate.acquire("a")
    gate.enqueue("b")
    gate.release("a")
    assert not gate.view("late").available
    assert gate.view("b").available


def test_holding_is_idempotent_and_release_frees_the_slot() -> None:
    gate = ProvisioningGate(1)
    assert gate.acquire("a") and gate.acquire("a")
    assert gate.view("a").held
    gate.release("a")
    gate.release("a")
    assert gate.in_flight == 0
    assert gate.acquire("b")


def test_a_waiter_that_stops_asking_is_dropped() -> None:
    clock = Clock()
    gate = ProvisioningGate(1, stale_after=30, clock=clock)
    gate.acquire("a")
    gate.enqueue("gone")
    clock.now = 20
    gate.enqueue("b")
    clock.now = 40
    assert gate.view("b").position == 1
    gate.release("a")
    assert gate.acquire("b")


def test_release_wakes_the_next_in_line_and_metrics_follow() -> None:
    seen: list[tuple[int, int]] = []
    woken: list[str] = []
    gate = ProvisioningGate(1, on_change=lambda depth, flight: seen.append((depth, flight)), on_turn=woken.append)
    gate.acquire("a")
    gate.enqueue("b")
    gate.enqueue("c")
    assert woken == []
    gate.release("a")
    assert woken == ["b"], "only the next in line, whose turn it is"
    assert seen == [(0, 1), (1, 1), (2, 1), (2, 0)]


def test_the_wait_for_a_slot_is_reported_once_per_admission_from_joining_the_queue() -> None:
    clock = Clock()
    waits: list[float] = []
    gate = ProvisioningGate(1, stale_after=120, clock=clock, on_admit=waits.append)
    assert gate.acquire("a")  # a free slot: no wait
    assert gate.acquire("a")  # still holding it: not a second admission
    gate.enqueue("b")
    clock.now = 50
    gate.enqueue("b")  # asking again does not restart its wait
    clock.now = 90
    gate.release("a")
    assert gate.acquire("b")
    gate.release("b")
    assert gate.acquire("resumed", resuming=True)  # admitted before a restart: its wait is unknown
    assert waits == [0.0, 90.0]


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ProvisioningGate(0)
