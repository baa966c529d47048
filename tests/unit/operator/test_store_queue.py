"""The store work queue (``store.queue``): what wakes a store, what it keeps while parked, stand-by and
closing. Passes are counted by a stand-in reconciler; what one pass does is in test_store_runtime.py."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any, cast

import pytest
from tests.unit.operator.storekit import deps

from storefleet_operator import contract
from storefleet_operator.store.actions.mark_ready import MarkReady
from storefleet_operator.store.context import IDLE, Next
from storefleet_operator.store.queue import StoreQueue, change_token, slim
from storefleet_operator.store.reconciler import PassResult
from storefleet_operator.store.runtime import StoreRuntime

pytestmark = pytest.mark.unit


def body(**metadata: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "shop", "namespace": "tenant-alice", "generation": 1, **metadata},
        "spec": {"engine": "medusa", "displayName": "Shop"},
    }


@pytest.mark.parametrize(
    ("after", "wakes"),
    [
        pytest.param(body(generation=2), True, id="spec-change"),
        pytest.param(body(annotations={contract.ANNOTATION_REQUESTED_AT: "1"}), True, id="retry-request"),
        pytest.param(body(deletionTimestamp="2026-05-01T12:00:00Z"), True, id="deletion"),
        pytest.param(body(annotations={"storefleet.io/request-id": "x"}), False, id="other-annotation"),
        pytest.param({**body(), "status": {"phase": "Ready"}}, False, id="our-own-status-write"),
    ],
)
def test_a_parked_store_wakes_for_what_needs_a_new_pass(after: dict[str, Any], wakes: bool) -> None:
    assert (change_token(after) != change_token(body())) is wakes


async def test_the_queue_knows_which_stores_the_watch_shows_by_uid() -> None:
    queue = new_queue(CountingReconciler())
    assert not queue.watches("tenant-alice", "shop", "uid-1")
    queue.notice(body(uid="uid-1"))
    assert queue.watches("tenant-alice", "shop", "uid-1")
    assert not queue.watches("tenant-alice", "shop", "uid-0"), "another Store of the same name is not this one"
    queue.notice(body(uid="uid-0"), deleted=True)  # a late deletion of an older Store of that name
    assert queue.watches("tenant-alice", "shop", "uid-1")
    queue.notice(body(uid="uid-1"), deleted=True)
    assert not queue.watches("tenant-alice", "shop", "uid-1")
    await queue.close()


class CountingReconciler:
    """Every pass converges at once (or waits ``delay`` seconds): the store should then park until
    something changes."""

    def __init__(self, delay: float | None = None) -> None:
        self.passes = 0
        self.delay = delay

    async def run_pass(self, store: Any, **_: Any) -> PassResult:
        self.passes += 1
        return PassResult(MarkReady(), IDLE if self.delay is None else Next(self.delay, "waiting"), store.status)


class CountingReads:
    """What a store woken from rest reads: its Store, counted."""

    def __init__(self, found: dict[str, Any] | None) -> None:
        self.found = found
        self.reads = 0

    async def read_store(self, namespace: str, name: str) -> dict[str, Any] | None:
        self.reads += 1
        return self.found


KEY = "tenant-alice/shop"


def queue_runtime(reconciler: Any, reads: CountingReads | None = None) -> StoreRuntime:
    """The runtime around a stand-in reconciler: its queue runs the real ``pass_once``."""
    kube = reads if reads is not None else CountingReads({**body(uid="u-1"), "status": {"phase": "Ready"}})
    return StoreRuntime(dataclasses.replace(deps(), kube=cast(Any, kube)), cast(Any, reconciler))


def new_queue(reconciler: Any, reads: CountingReads | None = None) -> StoreQueue:
    return queue_runtime(reconciler, reads).queue


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0.02)


async def test_a_listed_store_passes_once_then_parks_and_its_own_status_writes_wake_nobody() -> None:
    reconciler = CountingReconciler()
    queue = new_queue(reconciler)
    queue.notice(body(uid="u-1"))  # the listing at start
    await settle()
    assert reconciler.passes == 1 and queue.counts == (0, 1, 0), "one pass, then parked"
    queue.notice({**body(uid="u-1"), "status": {"phase": "Ready"}})  # our own status write comes back
    await settle()
    assert reconciler.passes == 1
    queue.notice(body(uid="u-1", generation=2))
    await settle()
    assert reconciler.passes == 2, "a spec change is looked at at once"
    await queue.close()


async def test_a_store_at_rest_keeps_only_its_token_and_reads_its_store_when_woken() -> None:
    reads = CountingReads({**body(uid="u-1"), "status": {"phase": "Ready"}})
    reconciler = CountingReconciler()
    queue = new_queue(reconciler, reads)
    queue.notice({**body(uid="u-1"), "status": {"phase": "Ready"}})
    await settle()
    parked = queue._parked[KEY]
    assert parked.resting and parked.live is None and parked.status is None
    assert reads.reads == 0, "the watched object served the first pass"
    queue.drifted(KEY)
    await settle()
    assert reconciler.passes == 2 and reads.reads == 1, "woken from rest, it reads its Store once"
    await queue.close()


async def test_a_store_between_provisioning_steps_keeps_its_object_and_wakes_without_a_read() -> None:
    reads = CountingReads(None)
    reconciler = CountingReconciler(delay=30.0)
    queue = new_queue(reconciler, reads)
    queue.notice(body(uid="u-1"))
    await settle()
    parked = queue._parked[KEY]
    assert not parked.resting and parked.live is not None and parked.status is not None
    assert "managedFields" not in parked.live["metadata"] and "status" not in parked.live
    queue.drifted(KEY)  # its own rollout's changes: left alone
    await settle()
    assert reconciler.passes == 1
    queue.wake(KEY)  # the gate: a slot is free
    await settle()
    assert reconciler.passes == 2 and reads.reads == 0
    await queue.close()


async def test_a_wake_up_from_before_a_pass_does_not_cost_a_second_pass() -> None:
    """The gate wakes waiters when a slot frees; a store that was already provisioning by then must not
    answer that wake-up with an extra pass once it is Ready (it did, for 60% of a 1000-store burst)."""
    entered, release = asyncio.Event(), asyncio.Event()

    class SlowStart(CountingReconciler):
        async def run_pass(self, store: Any, **kwargs: Any) -> PassResult:
            entered.set()
            await release.wait()
            return await super().run_pass(store, **kwargs)

    reconciler = SlowStart()
    queue = new_queue(reconciler)
    queue.notice(body(uid="u-1"))
    await entered.wait()
    queue.wake(KEY)  # during the pass: it counts
    release.set()
    await settle()
    assert reconciler.passes == 2, "a wake-up during a pass is answered by one more pass"
    assert queue.counts == (0, 1, 0)
    await queue.close()


async def test_a_store_being_deleted_is_left_to_the_deletion_handler_and_a_deleted_one_forgotten() -> None:
    reconciler = CountingReconciler(delay=30.0)
    queue = new_queue(reconciler)
    assert queue.gate.acquire(KEY)
    queue.notice(body(uid="u-1"))
    await settle()
    queue.notice(body(uid="u-1", deletionTimestamp="2026-05-01T12:00:00Z"))
    await settle()
    assert reconciler.passes == 1 and queue.counts == (0, 0, 0)
    assert queue.gate.in_flight == 0, "its provisioning slot is free for the next store"
    queue.notice(body(uid="u-1"), deleted=True)
    assert not queue.watches("tenant-alice", "shop", "u-1")
    await queue.close()


async def test_a_standing_by_replica_holds_due_stores_and_starts_them_when_it_may_work() -> None:
    reconciler = CountingReconciler()
    queue = new_queue(reconciler)
    queue.rand = lambda: 0.0  # no spread when resuming
    queue.set_active(False)
    queue.notice(body(uid="u-1"))
    await settle()
    assert reconciler.passes == 0 and queue.counts == (0, 0, 1), "held, not run"
    queue.set_active(True)
    await settle()
    assert reconciler.passes == 1 and queue.counts == (0, 1, 0)
    await queue.close()


async def test_a_pass_stops_at_its_next_step_when_the_replica_stands_by() -> None:
    seen: list[bool] = []
    entered, release = asyncio.Event(), asyncio.Event()

    class Watching(CountingReconciler):
        async def run_pass(self, store: Any, *, stopping: Any, **kwargs: Any) -> PassResult:
            entered.set()
            await release.wait()
            seen.append(stopping())
            return await super().run_pass(store, **kwargs)

    queue = new_queue(Watching())
    queue.notice(body(uid="u-1"))
    await entered.wait()
    queue.set_active(False)
    release.set()
    await settle()
    assert seen == [True] and queue.counts == (0, 0, 1)
    await queue.close()


@pytest.mark.parametrize("back_in_time", [True, False], ids=["stand-by-over-in-time", "still-standing-by"])
async def test_a_pass_past_its_grace_is_cancelled_only_while_still_standing_by(
    monkeypatch: pytest.MonkeyPatch, back_in_time: bool
) -> None:
    from storefleet_operator.store import queue as queue_module

    monkeypatch.setattr(queue_module, "STOP_GRACE_SECONDS", 0.1)
    entered, release = asyncio.Event(), asyncio.Event()

    class Long(CountingReconciler):
        async def run_pass(self, store: Any, **kwargs: Any) -> PassResult:
            if self.passes == 0:
                entered.set()
                await release.wait()  # a long engine setup step that does not look at stopping()
            return await super().run_pass(store, **kwargs)

    reconciler = Long()
    queue = new_queue(reconciler)
    queue.rand = lambda: 0.0
    queue.notice(body(uid="u-1"))
    await entered.wait()
    queue.set_active(False)
    if back_in_time:
        queue.set_active(True)
    await asyncio.sleep(0.3)  # past the grace period
    release.set()
    await settle()
    if back_in_time:
        assert reconciler.passes == 1 and queue.counts == (0, 1, 0), "not cancelled: it finished and parked"
    else:
        assert reconciler.passes == 0 and queue.counts == (0, 0, 1), "cancelled and held"
        queue.set_active(True)
        await settle()
        assert reconciler.passes == 1 and queue.counts == (0, 1, 0), "started again when it may work"
    await queue.close()


async def test_closing_cancels_what_is_parked_and_starts_nothing() -> None:
    reconciler = CountingReconciler(delay=0.05)
    queue = new_queue(reconciler)
    queue.notice(body(uid="u-1"))
    await settle()
    await queue.close()
    passes = reconciler.passes
    queue.notice(body(uid="u-1", generation=3))
    await asyncio.sleep(0.2)
    assert reconciler.passes == passes and queue.counts == (0, 0, 0)


async def test_an_unexpected_error_between_passes_parks_the_store_to_look_again() -> None:
    def failing_emitter(_: Any) -> Any:
        raise RuntimeError("a bug of ours")

    reconciler = CountingReconciler()
    runtime = queue_runtime(reconciler)
    runtime.emitter = failing_emitter
    runtime.queue.notice(body(uid="u-1"))
    await settle()
    parked = runtime.queue._parked[KEY]
    assert not parked.resting, "parked for a retry, not forgotten"
    await runtime.queue.close()


def test_what_a_busy_store_keeps_of_its_object_loses_status_and_field_owners_only() -> None:
    watched = {
        **body(uid="u-1", managedFields=[{"manager": "kubectl"}], annotations={contract.ANNOTATION_REQUESTED_AT: "1"}),
        "status": {"phase": "Ready", "conditions": [{"type": "Ready", "status": "True"}]},
    }
    kept = slim(watched)
    assert "status" not in kept and "managedFields" not in kept["metadata"]
    assert kept["spec"] == body()["spec"] and "managedFields" in watched["metadata"], "a copy: the event is intact"
    assert change_token(kept) == change_token(body(annotations={contract.ANNOTATION_REQUESTED_AT: "1"}))
