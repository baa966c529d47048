"""Queue: a store waiting for a provisioning slot shows its place in line."""

from __future__ import annotations

import pytest
from tests.unit.operator.storekit import conditions_of, converged, deps, make_pass, store

from storefleet_operator.models import Reason
from storefleet_operator.store.actions import queue
from storefleet_operator.store.actions.queue import Queue

pytestmark = pytest.mark.unit


async def test_a_queued_store_shows_its_position_and_is_announced_once() -> None:
    d = deps(max_concurrent_provisions=1)
    d.gate.acquire("tenant-alice/other")
    p = make_pass(converged(store(status={"phase": "Requested"})))
    nxt = await Queue().run(p, d)
    assert p.status.queue is not None and p.status.queue.position == 1
    assert p.status.phase == "Requested"
    reconciling = conditions_of(p.status)["Reconciling"]
    assert (reconciling.status, reconciling.reason) == ("True", Reason.QUEUED)
    assert "number 1 in the queue (1 slots, all busy)" in reconciling.message
    assert [e.reason for e in p.events] == [Reason.QUEUED]
    assert nxt.delay == queue.POLL_SECONDS
    again = make_pass(converged(store(status=p.status.model_dump(mode="json"))))
    await Queue().run(again, d)
    assert again.events == []


async def test_a_ready_store_waiting_for_an_upgrade_slot_is_provisioning() -> None:
    d = deps(max_concurrent_provisions=1)
    d.gate.acquire("tenant-alice/other")
    p = make_pass(converged(store(status={"phase": "Ready"})))
    await Queue().run(p, d)
    assert p.status.phase == "Provisioning"


@pytest.mark.parametrize(
    ("position", "shown"),
    [(1, 1), (10, 10), (11, 20), (20, 20), (21, 50), (50, 50), (51, 100), (101, 200), (201, 500), (501, 1000),
     (999, 1000), (1001, 2000), (4999, 5000), (12_345, 20_000)],
)  # fmt: skip
def test_the_shown_place_is_exact_near_the_front_and_a_1_2_5_bound_further_back(position: int, shown: int) -> None:
    assert queue.shown_position(position) == shown


async def test_a_store_far_back_keeps_the_same_status_while_the_line_moves() -> None:
    """With 800 queued, a re-check rewrote most of their statuses; between two bounds nothing changes."""
    d = deps(max_concurrent_provisions=1)
    d.gate.acquire("tenant-alice/holder")
    ahead = [f"tenant-alice/ahead{i:03d}" for i in range(700)]
    for key in ahead:
        d.gate.enqueue(key)
    p = make_pass(converged(store(status={"phase": "Requested"})))
    await Queue().run(p, d)
    assert p.status.queue is not None and p.status.queue.position == 1000
    assert "within the first 1000 in the queue" in conditions_of(p.status)["Reconciling"].message
    for key in ahead[:150]:  # 150 started: place 701 -> 551
        d.gate.release(key)
    again = make_pass(converged(store(status=p.status.model_dump(mode="json"))))
    await Queue().run(again, d)
    assert again.status == p.status
    for key in ahead[150:300]:  # place 401: a new bound, one rewrite
        d.gate.release(key)
    moved = make_pass(converged(store(status=again.status.model_dump(mode="json"))))
    await Queue().run(moved, d)
    assert moved.status.queue is not None and moved.status.queue.position == 500
