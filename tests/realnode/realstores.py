"""Real stores on the real node: the operator set up for it, Stores applied with kubectl, and how a
person reaches a store from the host (Traefik on a loopback port, Host-header routing).

Registered as a plugin from ``tests/conftest.py`` so every ``tests/realnode/test_store_*`` module
shares one operator and one Medusa store (``real_shop``): real stores are slow (migrations + seed), so
the tier keeps their number small. The fixtures build on the node helper's contract in
``tests/realnode/conftest.py`` (``realnode_cluster``, ``realnode_store_images``, ``realnode_images``).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from tests.cluster.operator.storeops import (
    create_store,
    delete_all_stores,
    new_tenant_namespace,
    secret_value,
    status_of,
    store_namespace,
    wait_gone,
    wait_ready,
)
from tests.cluster.operator_support import TEST_DEFAULTS, install_platform

from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.images import LocalImages

# The platform's runner itself: it layers extra values files; REAL_STORE_ENV carries the test timings.
from storefleet_localcluster.platform import VALUES_REALNODE, OperatorProcess

REAL_READY_TIMEOUT = 600
"""Image import is local, but Medusa's migrations and seed take a few minutes on this VM."""
REAL_TIER_TIMEOUT = 3600
"""pytest-timeout for a real-store test: the first one also pays for the fixtures (toolchain and image
builds when cold, the node's start, the store's provisioning)."""
REAL_STORE_ENV = {
    **TEST_DEFAULTS,
    "STOREFLEET_OPERATOR_ROLLOUT_TIMEOUT_SECONDS": str(REAL_READY_TIMEOUT),
    "STOREFLEET_OPERATOR_HELM_TIMEOUT_SECONDS": str(REAL_READY_TIMEOUT),
    "STOREFLEET_OPERATOR_STEP_MAX_ATTEMPTS": "5",
}
TIME_TO_READY: dict[str, float] = {}
"""Store → seconds from `kubectl apply` to Ready, printed at the end of the session."""


def real_operator(cluster: LocalCluster, store_images: LocalImages) -> OperatorProcess:
    """The real operator under its own ServiceAccount, layering the images built here and the real-node
    scheduling (values-realnode.yaml) on top of values-local.yaml."""
    return OperatorProcess(cluster, REAL_STORE_ENV, extra_values_files=[store_images.values_file, VALUES_REALNODE])


@dataclass
class RealStore:
    cluster: LocalCluster
    tenant_namespace: str
    name: str
    ingress_port: int
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def namespace(self) -> str:
        return store_namespace(self.tenant_namespace, self.name)

    @property
    def status(self) -> dict[str, Any]:
        return status_of(self.cluster, self.tenant_namespace, self.name)

    @property
    def host(self) -> str:
        return str(httpx.URL(self.status["url"]).host)

    @property
    def browser_url(self) -> str:
        """What a person types: browsers resolve *.localhost to loopback by themselves."""
        return f"http://{self.host}:{self.ingress_port}"

    def http(self) -> httpx.Client:
        """A client that reaches the store through the ingress, as the browser does (Host routing)."""
        return httpx.Client(base_url=f"http://127.0.0.1:{self.ingress_port}", headers={"Host": self.host}, timeout=30)

    def secret(self, key: str) -> str:
        return secret_value(self.cluster, self.namespace, f"{self.name}-credentials", key)

    @contextlib.contextmanager
    def admin(self) -> Iterator[httpx.Client]:
        """A client logged in to the Medusa admin API with the credentials from the store's Secret."""
        with self.http() as client:
            token = client.post(
                "/admin/auth/token",
                json={"email": self.secret("admin-email"), "password": self.secret("admin-password")},
            )
            token.raise_for_status()
            client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            yield client

    def pods(self) -> list[dict[str, Any]]:
        listed = self.cluster.kubectl("get", "pods", "-n", self.namespace, "-o", "json").stdout
        pods: list[dict[str, Any]] = json.loads(listed)["items"]
        return pods


def apply_and_wait(store: RealStore, engine: str, **spec: Any) -> RealStore:
    started = time.monotonic()
    create_store(store.cluster, store.name, store.tenant_namespace, engine, f"Real {store.name}", **spec)
    wait_ready(store.cluster, store.tenant_namespace, store.name, timeout=REAL_READY_TIMEOUT)
    TIME_TO_READY[f"{engine}/{store.name}"] = store.timings["ready"] = time.monotonic() - started
    return store


@pytest.fixture(scope="session")
def real_platform(realnode_cluster: LocalCluster, realnode_store_images: LocalImages) -> Iterator[OperatorProcess]:
    """CRDs and RBAC on the real-node cluster, and the operator running for the whole session."""
    install_platform(realnode_cluster, gateway=False)
    process = real_operator(realnode_cluster, realnode_store_images)
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="session")
def real_tenant(real_platform: OperatorProcess) -> Iterator[str]:
    namespace = new_tenant_namespace(real_platform.cluster, "rn")
    try:
        yield namespace
    finally:
        cluster = real_platform.cluster
        names = cluster.kubectl("get", "stores", "-n", namespace, "-o", "name", check=False).stdout.split()
        delete_all_stores(cluster, namespace)
        for name in names:  # the operator must finish (finalizers) before the session stops it
            wait_gone(cluster, namespace, name.rsplit("/", 1)[-1], timeout=REAL_READY_TIMEOUT)
        if TIME_TO_READY:
            print("\nreal stores, kubectl apply → Ready:")
            for key, seconds in TIME_TO_READY.items():
                print(f"  {key:<28} {seconds:6.1f} s")


@pytest.fixture(scope="session")
def real_shop(real_platform: OperatorProcess, real_tenant: str) -> RealStore:
    """A Medusa store with the storefront, applied with kubectl and Ready through the real operator."""
    cluster = real_platform.cluster
    assert cluster.real_node is not None
    store = RealStore(cluster, real_tenant, "shop", cluster.real_node.ingress_port)
    return apply_and_wait(store, "medusa", medusa={"storefront": {"enabled": True}})
