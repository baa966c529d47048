"""Builders for Store reconciliation unit tests: stores, snapshots, a pass and runtime deps.

Deps carry the real gate, metrics and status code with a fixed clock; the adapters (Kubernetes, helm,
exec) are absent because the actions tested with them never reach the cluster. The adapters and the
actions that use them run against the real local control plane in tests/cluster/operator.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from storefleet_operator.models import Condition, Store, StoreStatus
from storefleet_operator.observability import Metrics
from storefleet_operator.settings import OperatorSettings
from storefleet_operator.store.context import Deps, Pass
from storefleet_operator.store.gate import ProvisioningGate, SlotView
from storefleet_operator.store.snapshot import (
    Desired,
    NamespaceState,
    ReleaseState,
    ReleaseView,
    Revision,
    RolloutView,
    Snapshot,
    Urls,
    WorkloadProgress,
)
from storefleet_operator.store.telemetry import Telemetry

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
NAMESPACE = "store-shop-0a1b2c3d"


def store(
    *,
    name: str = "shop",
    namespace: str = "tenant-alice",
    engine: str = "woocommerce",
    generation: int = 1,
    display_name: str = "Alice's Shop",
    annotations: dict[str, str] | None = None,
    status: dict[str, Any] | None = None,
    deleting: bool = False,
    uid: str | None = None,
    **spec: Any,
) -> Store:
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "uid": uid,
        "generation": generation,
        "annotations": annotations or {},
        "creationTimestamp": (T0 - timedelta(seconds=30)).isoformat(),
    }
    if deleting:
        metadata["deletionTimestamp"] = T0.isoformat()
    body = {
        "apiVersion": "storefleet.io/v1alpha1",
        "kind": "Store",
        "metadata": metadata,
        "spec": {"engine": engine, "displayName": display_name, **spec},
        "status": status or {},
    }
    return Store.from_body(body)


def condition(
    type_: str, status: str, reason: str = "Succeeded", generation: int = 1, message: str = ""
) -> dict[str, Any]:
    return {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": T0.isoformat(),
        "observedGeneration": generation,
    }


def revision(number: int = 1, status: str = "deployed", updated: datetime = T0) -> Revision:
    return Revision(number, status, "ecommerce-store-0.1.0", updated, "")


def ready_rollout() -> RolloutView:
    return RolloutView((WorkloadProgress("Deployment", "shop-wordpress", 1, 1, True),))


def slot(*, available: bool = True, held: bool = False, position: int | None = None) -> SlotView:
    return SlotView(held, available, position, 0 if position is None else position, 1, 3)


DESIRED = Desired({"engine": "woocommerce"}, "0" * 64, "ecommerce-store-0.1.0", "shop-alice.localhost")
URLS = Urls("http://shop-alice.localhost", "http://shop-alice.localhost/wp-admin/")


def converged(s: Store | None = None, **changes: Any) -> Snapshot:
    """A snapshot of a store where everything is in place, then ``changes`` applied."""
    base = Snapshot(
        store=s or store(status={"url": URLS.url, "adminUrl": URLS.admin_url}),
        now=T0,
        max_attempts=3,
        namespace=NAMESPACE,
        namespace_state=NamespaceState.OURS,
        credentials_ready=True,
        release=ReleaseView(ReleaseState.IN_SYNC, revision(), revision()),
        rollout=ready_rollout(),
        urls=URLS,
        slot=slot(),
        desired=DESIRED,
        released=True,
        engine_configured=True,
    )
    return dataclasses.replace(base, **changes)


def settings(**overrides: Any) -> OperatorSettings:
    values: dict[str, Any] = {
        "step_max_attempts": 3,
        "retry_base_delay_seconds": 1.0,
        "retry_max_delay_seconds": 8.0,
        "rollout_timeout_seconds": 60,
        "max_concurrent_provisions": 2,
        **overrides,
    }
    return OperatorSettings(**values)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def deps(*, clock: Clock | None = None, **setting_overrides: Any) -> Deps:
    config = settings(**setting_overrides)
    telemetry = Telemetry(Metrics())
    return Deps(
        settings=config,
        kube=cast(Any, None),
        helm=cast(Any, None),
        executor=cast(Any, None),
        gate=ProvisioningGate(
            config.max_concurrent_provisions, on_change=telemetry.queue, on_admit=telemetry.queue_waited
        ),
        telemetry=telemetry,
        clock=clock or Clock(),
        rand=lambda: 0.5,
        monotonic=lambda: 0.0,
    )


def make_pass(snapshot: Snapshot, status: StoreStatus | None = None) -> Pass:
    async def checkpoint() -> None:
        return None

    return Pass(snapshot.store, snapshot, status or snapshot.store.status, checkpoint, deadline=100.0)


def conditions_of(status: StoreStatus) -> dict[str, Condition]:
    return {c.type: c for c in status.conditions}


# ---------- in-memory stand-ins for the adapters (the real ones run in tests/cluster/operator) ----------


class MemoryKube:
    """The few StoreKube calls the provisioning actions make, over dicts in memory."""

    def __init__(self) -> None:
        self.namespaces: dict[str, dict[str, Any]] = {}
        self.secrets: dict[tuple[str, str], dict[str, Any]] = {}
        self.roles: dict[tuple[str, str], dict[str, Any]] = {}
        self.bindings: dict[tuple[str, str], dict[str, Any]] = {}
        self.tenants: dict[str, dict[str, Any]] = {}
        self.deleted: list[str] = []
        self.pod: Any = None
        self.pods: list[dict[str, Any]] = []
        self.deleted_pods: list[str] = []
        self.nodes: dict[str, dict[str, Any]] = {}
        self.fail: Exception | None = None

    def _maybe_fail(self) -> None:
        if self.fail is not None:
            raise self.fail

    async def create_namespace(self, manifest: dict[str, Any]) -> None:
        self._maybe_fail()
        self.namespaces[manifest["metadata"]["name"]] = manifest

    async def label_namespace(self, name: str, labels: dict[str, str]) -> None:
        self._maybe_fail()
        self.namespaces[name]["metadata"]["labels"].update(labels)

    async def delete_namespace(self, name: str) -> None:
        self._maybe_fail()
        self.deleted.append(name)

    async def secret_exists(self, namespace: str, name: str) -> bool:
        return (namespace, name) in self.secrets

    async def create_secret(self, manifest: dict[str, Any]) -> bool:
        key = (manifest["metadata"]["namespace"], manifest["metadata"]["name"])
        if key in self.secrets:
            return False
        self.secrets[key] = manifest
        return True

    async def read_secret_data(self, namespace: str, name: str) -> dict[str, str] | None:
        found = self.secrets.get((namespace, name))
        return dict(found["stringData"]) if found else None

    async def read_tenant(self, name: str) -> dict[str, Any] | None:
        return self.tenants.get(name)

    async def apply_role(self, manifest: dict[str, Any]) -> None:
        self.roles[(manifest["metadata"]["namespace"], manifest["metadata"]["name"])] = manifest

    async def apply_rolebinding(self, manifest: dict[str, Any]) -> None:
        self.bindings[(manifest["metadata"]["namespace"], manifest["metadata"]["name"])] = manifest

    async def list_pods(self, namespace: str, labels: dict[str, str]) -> list[dict[str, Any]]:
        return [pod for pod in self.pods if labels.items() <= pod["metadata"]["labels"].items()]

    async def delete_pod(self, namespace: str, name: str) -> None:
        self.deleted_pods.append(name)

    async def read_node(self, name: str) -> dict[str, Any] | None:
        self._maybe_fail()
        return self.nodes.get(name)

    async def find_ready_pod(self, namespace: str, selector: str) -> Any:
        from storefleet_operator.adapters.execs import PodNotFound

        if self.pod is None:
            raise PodNotFound(f"no Ready pod in namespace {namespace} matches {selector!r}")
        return self.pod


class RecordingHelm:
    """Records the helm operations the actions ask for; ``fail`` makes the next one fail."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.fail: Exception | None = None
        self.revision = 1

    def _maybe_fail(self) -> None:
        if self.fail is not None:
            raise self.fail

    async def upgrade_install(
        self,
        namespace: str,
        release: str,
        chart_dir: Any,
        values: dict[str, Any],
        *,
        description: str,
        timeout_seconds: int,
    ) -> int:
        self.calls.append(("upgrade_install", namespace, release, values, description))
        self._maybe_fail()
        return self.revision

    async def rollback(self, namespace: str, release: str, revision: int, *, timeout_seconds: int) -> None:
        self.calls.append(("rollback", namespace, release, revision))
        self._maybe_fail()

    async def uninstall(self, namespace: str, release: str, *, timeout_seconds: int, wait: bool = True) -> None:
        self.calls.append(("uninstall", namespace, release))
        self._maybe_fail()


def with_adapters(
    d: Deps, kube: MemoryKube | None = None, helm: RecordingHelm | None = None, executor: Any = None
) -> Deps:
    return dataclasses.replace(
        d, kube=cast(Any, kube or MemoryKube()), helm=cast(Any, helm or RecordingHelm()), executor=executor
    )
