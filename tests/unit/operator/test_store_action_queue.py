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
