"""One pass and what it does (``store.runtime``): the deletion fallback, the desired values a pass
builds, the actions one pass chains from one look, and the wiring ``StoreRuntime.build`` makes. When a
pass runs is the queue's (test_store_queue.py)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from tests.unit.operator.storekit import MemoryKube, RecordingHelm, deps, store, with_adapters

from storefleet_operator import contract, naming
from storefleet_operator.adapters.kube import KubeError
from storefleet_operator.store import status as st
from storefleet_operator.store.guard import FINALIZER_WAIT_SECONDS
from storefleet_operator.store.reconciler import StoreReconciler
from storefleet_operator.store.runtime import StoreRuntime, _deletable
from storefleet_operator.store.values import values_digest

pytestmark = pytest.mark.unit


def test_a_store_whose_spec_no_longer_parses_can_still_be_deleted() -> None:
    broken = {
        "metadata": {"name": "shop", "namespace": "tenant-alice", "generation": 1},
        "spec": {"engine": "medusa", "displayName": "", "unknown": 1},
        "status": {"phase": 7},
    }
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
    runtime = StoreRuntime(dataclasses.replace(deps(), rand=lambda: rand), StoreReconciler(deps()))
    assert runtime.idle_resync() == pytest.approx(share * runtime.deps.settings.idle_resync_seconds)


def runtime_over(kube: FreshStoreKube) -> tuple[StoreRuntime, list[Any], dict[str, Any]]:
    """A runtime over ``kube`` and a helm with nothing in flight; the Events it posts; the Store as
    the watch shows it before any status (uid ``kube.uid``)."""
    d = with_adapters(deps(), kube, UnlockedHelm())
    events: list[Any] = []
    runtime = StoreRuntime(d, StoreReconciler(d), emitter=lambda _body: events.append)
    live = store(uid=kube.uid).model_dump(mode="json", by_alias=True, exclude_none=True)
    live.pop("status", None)
    return runtime, events, live


class FinalizerLateKube(FreshStoreKube):
    """A Store created by kubectl: kopf adds the finalizer a moment after the first pass looks."""

    def __init__(self, uid: str) -> None:
        super().__init__(uid)
        self.finalized = False

    async def read_store(self, namespace: str, name: str) -> dict[str, Any]:
        finalizers = [contract.FINALIZER] if self.finalized else []
        return {"metadata": {"name": name, "uid": self.uid, "finalizers": finalizers}}


async def test_a_pass_that_waits_for_the_finalizer_leaves_the_status_as_it_was() -> None:
    """The first pass may not start before the finalizer is on: it writes nothing and posts no Event,
    so the pass after it still sees a new store, and Accepted is posted (and written) exactly once."""
    kube = FinalizerLateKube("u-3")
    runtime, events, live = runtime_over(kube)

    status, nxt = await runtime.pass_once("tenant-alice/shop", live, {}, lambda: False)
    assert (status, nxt.delay, events, kube.patches) == ({}, FINALIZER_WAIT_SECONDS, [], [])

    kube.finalized = True
    status, nxt = await runtime.pass_once("tenant-alice/shop", live, status, lambda: False)
    assert [e.reason for e in events] == ["Accepted", "Provisioning", "Provisioning", "Installing"]
    assert [h["phase"] for h in status["history"]] == ["Requested", "Provisioning"]  # type: ignore[index]


class UnreadableOnceKube(FreshStoreKube):
    """The fresh read of the Store before the release fails once (the API server did not answer)."""

    def __init__(self, uid: str) -> None:
        super().__init__(uid)
        self.reads = 0

    async def read_store(self, namespace: str, name: str) -> dict[str, Any]:
        self.reads += 1
        if self.reads == 3:  # EnsureNamespace and EnsureCredentials read it first; Install third
            raise KubeError("read store: the API server did not answer")
        return await super().read_store(namespace, name)


async def test_a_pass_cut_short_by_the_api_server_hands_back_what_it_wrote() -> None:
    """The namespace and credentials were made, written and posted; the queue gets that status back,
    so the next pass goes on from Provisioning instead of accepting the store a second time."""
    kube = UnreadableOnceKube("u-4")
    runtime, events, live = runtime_over(kube)

    status, nxt = await runtime.pass_once("tenant-alice/shop", live, {}, lambda: False)
    assert nxt.delay == runtime.deps.settings.retry_max_delay_seconds / 2 and "did not answer" in nxt.message
    assert kube.patches == [status] and [e.reason for e in events] == ["Accepted", "Provisioning", "Provisioning"]
    assert [h["phase"] for h in status["history"]] == ["Requested", "Provisioning"]  # type: ignore[index]
    _, next_events = st.begin_pass(store(uid="u-4", status=dict(status)), datetime.now(UTC))
    assert next_events == [], "the next pass starts from what was written: nothing to accept again"
