"""The worker's wake-up rule, the deletion fallback, the desired values a pass builds, and the actions
one pass chains from one look."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from tests.unit.operator.storekit import MemoryKube, RecordingHelm, deps, store, with_adapters

from storefleet_operator import contract, naming
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.mark_ready import MarkReady
from storefleet_operator.store.context import IDLE, Next
from storefleet_operator.store.reconciler import PassResult, StoreReconciler
from storefleet_operator.store.runtime import StoreRuntime, _deletable, change_token, slim
from storefleet_operator.store.values import values_digest

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


def test_a_store_whose_spec_no_longer_parses_can_still_be_deleted() -> None:
    broken = {**body(), "spec": {"engine": "medusa", "displayName": "", "unknown": 1}, "status": {"phase": 7}}
    store = _deletable(broken)
    assert (store.metadata.namespace, store.metadata.name, store.spec.engine) == ("tenant-alice", "shop", "medusa")


def test_desired_values_layer_files_then_extra_then_the_store(tmp_path: Path) -> None:
    platform = tmp_path / "platform.yaml"
    platform.write_text("ingress:\n  className: traefik\n  host: ignored.example\nresourceQuota:\n  enabled: true\n")
    d = deps(values_files=[platform], extra_values={"tenant-alice/*": {"resourceQuota": {"enabled": False}}})
    desired, error = StoreReconciler(d).desired(store())
    assert error is None and desired is not None
    assert desired.values["ingress"] == {"className": "traefik", "host": "shop-alice.localhost"}
    assert desired.values["resourceQuota"] == {"enabled": False}
    assert desired.digest == values_digest(desired.values, desired.chart)


def test_an_unreadable_values_file_is_reported_not_raised(tmp_path: Path) -> None:
    d = deps(values_files=[tmp_path / "gone.yaml"])
    desired, error = StoreReconciler(dataclasses.replace(d)).desired(store())
    assert desired is None and error is not None and "gone.yaml" in error


class StatusOnlyKube:
    """Answers only what a queued store's pass may do: write its status. Any read fails the test."""

    def __init__(self) -> None:
        self.patches: list[dict[str, Any]] = []

    async def patch_store_status(
        self, namespace: str, name: str, patch: dict[str, Any], uid: str | None = None
    ) -> None:
        self.patches.append(patch)

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a queued store's pass must not call {name}")


class IdleHelm:
    """No helm command runs: what the pass asks about locks, without any helm call."""

    started_at = datetime(2026, 1, 1, tzinfo=UTC)

    def in_flight(self, namespace: str, release: str) -> bool:
        return False

    def interrupted(self, namespace: str, release: str) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a queued store's pass must not run helm {name}")


async def test_a_queued_store_observes_nothing_and_an_unchanged_status_is_written_once() -> None:
    kube = StatusOnlyKube()
    d = dataclasses.replace(deps(max_concurrent_provisions=1), kube=cast(Any, kube), helm=cast(Any, IdleHelm()))
    d.gate.acquire("tenant-alice/other")  # the only slot is busy
    queued = store(uid="u-1")
    reconciler = StoreReconciler(d)
    first = await reconciler.run_pass(queued, emit=lambda _: None, deadline=100.0)
    assert type(first.action).__name__ == "Queue" and len(kube.patches) == 1
    again = queued.model_copy(update={"status": first.status})
    second = await reconciler.run_pass(again, emit=lambda _: None, deadline=100.0)
    assert type(second.action).__name__ == "Queue"
    assert len(kube.patches) == 1, "the same status is not written twice"
    assert first.patch == second.patch == kube.patches[0], "each pass hands back the patch it ended with"


async def test_the_runtime_knows_which_stores_the_watch_shows_by_uid() -> None:
    runtime = queue_runtime(CountingReconciler())
    assert not runtime.watches("tenant-alice", "shop", "uid-1")
    runtime.notice(body(uid="uid-1"))
    assert runtime.watches("tenant-alice", "shop", "uid-1")
    assert not runtime.watches("tenant-alice", "shop", "uid-0"), "another Store of the same name is not this one"
    runtime.notice(body(uid="uid-0"), deleted=True)  # a late deletion of an older Store of that name
    assert runtime.watches("tenant-alice", "shop", "uid-1")
    runtime.notice(body(uid="uid-1"), deleted=True)
    assert not runtime.watches("tenant-alice", "shop", "uid-1")
    await runtime.close()


class FreshStoreKube(MemoryKube):
    """MemoryKube plus what a whole pass reads and writes, counting the reads a pass makes to observe."""

    def __init__(self, uid: str) -> None:
        super().__init__()
        self.uid = uid
        self.observing_reads: list[str] = []
        self.patches: list[dict[str, Any]] = []

    async def read_namespace(self, name: str) -> dict[str, Any] | None:
        self.observing_reads.append(f"namespace {name}")
        return self.namespaces.get(name)

    async def read_store(self, namespace: str, name: str) -> dict[str, Any]:
        return {"metadata": {"name": name, "uid": self.uid, "finalizers": [contract.FINALIZER]}}

    async def patch_store_status(
        self, namespace: str, name: str, patch: dict[str, Any], uid: str | None = None
    ) -> None:
        self.patches.append(patch)

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a new store's first pass must not call {name}")


class UnlockedHelm(RecordingHelm):
    """RecordingHelm that also answers the pass's lock questions: nothing in flight."""

    started_at = datetime(2026, 1, 1, tzinfo=UTC)

    def in_flight(self, namespace: str, release: str) -> bool:
        return False

    def interrupted(self, namespace: str, release: str) -> bool:
        return False


async def test_a_new_stores_first_pass_makes_namespace_credentials_and_release_from_one_look() -> None:
    """EnsureNamespace and EnsureCredentials say what they made, so the pass decides again on that
    instead of reading the namespace, Secrets, RoleBinding, workloads and Ingress twice more."""
    kube, helm = FreshStoreKube("u-1"), UnlockedHelm()
    d = with_adapters(deps(), kube, helm)
    events: list[Any] = []
    result = await StoreReconciler(d).run_pass(store(uid="u-1"), emit=events.append, deadline=100.0)
    namespace = naming.store_namespace("tenant-alice", "shop")
    assert kube.observing_reads == [f"namespace {namespace}"], "one look, at the start of the pass"
    assert type(result.action).__name__ == "Install" and result.next.delay == 0
    assert [call[0] for call in helm.calls] == ["upgrade_install"]
    assert (namespace, naming.credentials_secret_name("shop")) in kube.secrets
    assert [s.name for s in result.status.steps][:3] == [st.STEP_NAMESPACE, st.STEP_CREDENTIALS, st.STEP_RELEASE]
    assert all(s.state == "Succeeded" for s in result.status.steps[:3])
    assert [e.reason for e in events] == ["Accepted", "Provisioning", "Provisioning", "Installing"]
    assert len(kube.patches) <= 2, "the Installing checkpoint and the end of the pass, nothing per action"


async def test_a_chain_stops_at_the_pass_deadline() -> None:
    kube = FreshStoreKube("u-2")
    d = dataclasses.replace(with_adapters(deps(), kube, UnlockedHelm()), monotonic=lambda: 200.0)
    result = await StoreReconciler(d).run_pass(store(uid="u-2"), emit=lambda _: None, deadline=100.0)
    assert type(result.action).__name__ == "EnsureNamespace" and result.next.delay == 0


class CountingReconciler:
    """Every pass converges at once (or waits ``delay`` seconds): the worker should then sleep until
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


def queue_runtime(reconciler: Any, reads: CountingReads | None = None, **settings: Any) -> StoreRuntime:
    kube = reads if reads is not None else CountingReads({**body(uid="u-1"), "status": {"phase": "Ready"}})
    return StoreRuntime(dataclasses.replace(deps(**settings), kube=cast(Any, kube)), cast(Any, reconciler))


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0.02)


async def test_a_listed_store_passes_once_then_parks_and_its_own_status_writes_wake_nobody() -> None:
    reconciler = CountingReconciler()
    runtime = queue_runtime(reconciler)
    runtime.notice(body(uid="u-1"))  # the listing at start
    await settle()
    assert reconciler.passes == 1 and runtime.counts == (0, 1, 0), "one pass, then parked"
    runtime.notice({**body(uid="u-1"), "status": {"phase": "Ready"}})  # our own status write comes back
    await settle()
    assert reconciler.passes == 1
    runtime.notice(body(uid="u-1", generation=2))
    await settle()
    assert reconciler.passes == 2, "a spec change is looked at at once"
    await runtime.close()


async def test_a_store_at_rest_keeps_only_its_token_and_reads_its_store_when_woken() -> None:
    reads = CountingReads({**body(uid="u-1"), "status": {"phase": "Ready"}})
    reconciler = CountingReconciler()
    runtime = queue_runtime(reconciler, reads)
    runtime.notice({**body(uid="u-1"), "status": {"phase": "Ready"}})
    await settle()
    parked = runtime._parked[KEY]
    assert parked.resting and parked.live is None and parked.status is None
    assert reads.reads == 0, "the watched object served the first pass"
    runtime.drifted(KEY)
    await settle()
    assert reconciler.passes == 2 and reads.reads == 1, "woken from rest, it reads its Store once"
    await runtime.close()


async def test_a_store_between_provisioning_steps_keeps_its_object_and_wakes_without_a_read() -> None:
    reads = CountingReads(None)
    reconciler = CountingReconciler(delay=30.0)
    runtime = queue_runtime(reconciler, reads)
    runtime.notice(body(uid="u-1"))
    await settle()
    parked = runtime._parked[KEY]
    assert not parked.resting and parked.live is not None and parked.status is not None
    assert "managedFields" not in parked.live["metadata"] and "status" not in parked.live
    runtime.drifted(KEY)  # its own rollout's changes: left alone
    await settle()
    assert reconciler.passes == 1
    runtime.wake(KEY)  # the gate: a slot is free
    await settle()
    assert reconciler.passes == 2 and reads.reads == 0
    await runtime.close()


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
    runtime = queue_runtime(reconciler)
    runtime.notice(body(uid="u-1"))
    await entered.wait()
    runtime.wake(KEY)  # during the pass: it counts
    release.set()
    await settle()
    assert reconciler.passes == 2, "a wake-up during a pass is answered by one more pass"
    assert runtime.counts == (0, 1, 0)
    await runtime.close()


async def test_a_store_being_deleted_is_left_to_the_deletion_handler_and_a_deleted_one_forgotten() -> None:
    reconciler = CountingReconciler(delay=30.0)
    runtime = queue_runtime(reconciler)
    assert runtime.deps.gate.acquire(KEY)
    runtime.notice(body(uid="u-1"))
    await settle()
    runtime.notice(body(uid="u-1", deletionTimestamp="2026-05-01T12:00:00Z"))
    await settle()
    assert reconciler.passes == 1 and runtime.counts == (0, 0, 0)
    assert runtime.deps.gate.in_flight == 0, "its provisioning slot is free for the next store"
    runtime.notice(body(uid="u-1"), deleted=True)
    assert not runtime.watches("tenant-alice", "shop", "u-1")
    await runtime.close()


async def test_a_standing_by_replica_holds_due_stores_and_starts_them_when_it_may_work() -> None:
    reconciler = CountingReconciler()
    runtime = queue_runtime(reconciler)
    runtime.deps = dataclasses.replace(runtime.deps, rand=lambda: 0.0)  # no spread when resuming
    runtime.set_active(False)
    runtime.notice(body(uid="u-1"))
    await settle()
    assert reconciler.passes == 0 and runtime.counts == (0, 0, 1), "held, not run"
    runtime.set_active(True)
    await settle()
    assert reconciler.passes == 1 and runtime.counts == (0, 1, 0)
    await runtime.close()


async def test_a_pass_stops_at_its_next_step_when_the_replica_stands_by() -> None:
    seen: list[bool] = []
    entered, release = asyncio.Event(), asyncio.Event()

    class Watching(CountingReconciler):
        async def run_pass(self, store: Any, *, stopping: Any, **kwargs: Any) -> PassResult:
            entered.set()
            await release.wait()
            seen.append(stopping())
            return await super().run_pass(store, **kwargs)

    runtime = queue_runtime(Watching())
    runtime.notice(body(uid="u-1"))
    await entered.wait()
    runtime.set_active(False)
    release.set()
    await settle()
    assert seen == [True] and runtime.counts == (0, 0, 1)
    await runtime.close()


@pytest.mark.parametrize("back_in_time", [True, False], ids=["stand-by-over-in-time", "still-standing-by"])
async def test_a_pass_past_its_grace_is_cancelled_only_while_still_standing_by(
    monkeypatch: pytest.MonkeyPatch, back_in_time: bool
) -> None:
    from storefleet_operator.store import runtime as runtime_module

    monkeypatch.setattr(runtime_module, "STOP_GRACE_SECONDS", 0.1)
    entered, release = asyncio.Event(), asyncio.Event()

    class Long(CountingReconciler):
        async def run_pass(self, store: Any, **kwargs: Any) -> PassResult:
            if self.passes == 0:
                entered.set()
                await release.wait()  # a long engine setup step that does not look at stopping()
            return await super().run_pass(store, **kwargs)

    reconciler = Long()
    runtime = queue_runtime(reconciler)
    runtime.deps = dataclasses.replace(runtime.deps, rand=lambda: 0.0)
    runtime.notice(body(uid="u-1"))
    await entered.wait()
    runtime.set_active(False)
    if back_in_time:
        runtime.set_active(True)
    await asyncio.sleep(0.3)  # past the grace period
    release.set()
    await settle()
    if back_in_time:
        assert reconciler.passes == 1 and runtime.counts == (0, 1, 0), "not cancelled: it finished and parked"
    else:
        assert reconciler.passes == 0 and runtime.counts == (0, 0, 1), "cancelled and held"
        runtime.set_active(True)
        await settle()
        assert reconciler.passes == 1 and runtime.counts == (0, 1, 0), "started again when it may work"
    await runtime.close()


async def test_closing_cancels_what_is_parked_and_starts_nothing() -> None:
    reconciler = CountingReconciler(delay=0.05)
    runtime = queue_runtime(reconciler)
    runtime.notice(body(uid="u-1"))
    await settle()
    await runtime.close()
    passes = reconciler.passes
    runtime.notice(body(uid="u-1", generation=3))
    await asyncio.sleep(0.2)
    assert reconciler.passes == passes and runtime.counts == (0, 0, 0)


async def test_an_unexpected_error_between_passes_parks_the_store_to_look_again() -> None:
    def failing_emitter(_: Any) -> Any:
        raise RuntimeError("a bug of ours")

    reconciler = CountingReconciler()
    runtime = queue_runtime(reconciler)
    runtime.emitter = failing_emitter
    runtime.notice(body(uid="u-1"))
    await settle()
    parked = runtime._parked[KEY]
    assert not parked.resting, "parked for a retry, not forgotten"
    await runtime.close()


async def test_the_heap_is_trimmed_once_the_provisioning_gate_has_been_empty_a_while(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The wiring ``StoreRuntime.build`` makes: gate changes tell the allocator's IdleTrim when work
    starts and stops (the trim itself is tested in test_allocator.py)."""
    from kubernetes import client
    from pyhelm3 import Client as HelmClient

    from storefleet_operator import allocator
    from storefleet_operator.observability import Metrics
    from storefleet_operator.store import runtime as runtime_module

    trims: list[int] = []
    monkeypatch.setattr(allocator, "trim", lambda: trims.append(1) or True)
    monkeypatch.setattr(runtime_module, "TRIM_AFTER_QUIET_SECONDS", 0.5)
    api = client.ApiClient()
    try:
        version_only = tmp_path / "helm"  # pyhelm3 asks helm its version when built; nothing else runs
        version_only.write_text("#!/bin/sh\nprintf v3.22.0\n")
        version_only.chmod(0o755)
        helm = HelmClient(executable=str(version_only))
        runtime = StoreRuntime.build(deps().settings, api, helm, Metrics())
        gate = runtime.deps.gate
        assert gate.acquire("tenant-alice/shop")
        await asyncio.sleep(0.8)
        assert trims == [], "no trim while a store provisions"
        gate.release("tenant-alice/shop")
        await asyncio.sleep(0.05)
        assert gate.acquire("tenant-alice/other"), "work came back before the quiet period ended"
        gate.release("tenant-alice/other")
        await asyncio.sleep(0.05)
        assert trims == []
        await asyncio.sleep(1.0)
        assert trims == [1]
    finally:
        api.close()


@pytest.mark.parametrize(("rand", "share"), [(0.0, 0.9), (0.5, 1.0), (1.0, 1.1)])
def test_idle_stores_look_again_spread_over_a_tenth_either_side(rand: float, share: float) -> None:
    runtime = StoreRuntime(dataclasses.replace(deps(), rand=lambda: rand), cast(Any, CountingReconciler()))
    assert runtime.idle_resync() == pytest.approx(share * runtime.deps.settings.idle_resync_seconds)


def test_what_a_busy_store_keeps_of_its_object_loses_status_and_field_owners_only() -> None:
    watched = {
        **body(uid="u-1", managedFields=[{"manager": "kubectl"}], annotations={contract.ANNOTATION_REQUESTED_AT: "1"}),
        "status": {"phase": "Ready", "conditions": [{"type": "Ready", "status": "True"}]},
    }
    kept = slim(watched)
    assert "status" not in kept and "managedFields" not in kept["metadata"]
    assert kept["spec"] == body()["spec"] and "managedFields" in watched["metadata"], "a copy: the event is intact"
    assert change_token(kept) == change_token(body(annotations={contract.ANNOTATION_REQUESTED_AT: "1"}))
