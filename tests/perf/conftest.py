"""Fixtures for the benchmarks: the platform on the session's local control plane, and a clean fleet.

Every benchmark starts and ends with no Store in the cluster and no store namespace left: the gateway
benchmark creates hundreds of Stores with no operator running, and an operator started later by the
provisioning benchmark would otherwise start work on all of them and measure that instead.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Collection, Iterator

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from tests.cluster.operator_support import install_platform

from storefleet_localcluster.cluster import LocalCluster
from storefleet_operator import contract

BASELINE_NAMESPACE_PREFIX = "bench-base-"
MERGE_PATCH = "application/merge-patch+json"


@pytest.fixture(scope="session")
def bench_platform(cluster: LocalCluster) -> LocalCluster:
    install_platform(cluster)
    return cluster


def clear_fleet(cluster: LocalCluster, timeout: float = 600) -> None:
    """Remove every Store (finalizers dropped: no operator may be running) and every store namespace;
    waits ``timeout`` seconds, or two per namespace if that is longer."""
    api = cluster.api_client()
    custom, core = client.CustomObjectsApi(api), client.CoreV1Api(api)
    try:
        stores = custom.list_cluster_custom_object(contract.GROUP, contract.VERSION, contract.STORES)["items"]
        for item in stores:
            meta = item["metadata"]
            with contextlib.suppress(ApiException):
                if meta.get("finalizers"):
                    custom.patch_namespaced_custom_object(
                        contract.GROUP, contract.VERSION, meta["namespace"], contract.STORES, meta["name"],
                        {"metadata": {"finalizers": None}}, _content_type=MERGE_PATCH,
                    )  # fmt: skip
                custom.delete_namespaced_custom_object(
                    contract.GROUP, contract.VERSION, meta["namespace"], contract.STORES, meta["name"]
                )
        store_selector = f"{contract.LABEL_MANAGED_BY}={contract.MANAGED_BY},{contract.LABEL_STORE}"
        leftovers = [ns.metadata.name for ns in core.list_namespace(label_selector=store_selector).items]
        leftovers += [
            ns.metadata.name
            for ns in core.list_namespace().items
            if ns.metadata.name.startswith(BASELINE_NAMESPACE_PREFIX)
        ]
        delete_namespaces(core, leftovers, timeout)
        deadline = time.monotonic() + timeout
        while custom.list_cluster_custom_object(contract.GROUP, contract.VERSION, contract.STORES)["items"]:
            assert time.monotonic() < deadline, "the fleet did not clear: Stores are left"
            time.sleep(1)
    finally:
        api.close()


def delete_namespaces(core: client.CoreV1Api, names: Collection[str], timeout: float = 600) -> None:
    """Delete the namespaces and wait until they are gone: ``timeout`` seconds, or two per namespace if
    that is longer (the namespace controller removes two or three store namespaces a second here)."""
    for name in names:
        with contextlib.suppress(ApiException):
            core.delete_namespace(name)
    deadline = time.monotonic() + max(timeout, 2.0 * len(names))
    while present := {ns.metadata.name for ns in core.list_namespace().items} & set(names):
        assert time.monotonic() < deadline, f"{len(present)} namespaces not gone, e.g. {sorted(present)[:5]}"
        time.sleep(1)


@pytest.fixture
def clean_fleet(bench_platform: LocalCluster) -> Iterator[LocalCluster]:
    """The platform with no Stores before the benchmark, and none left behind after it."""
    clear_fleet(bench_platform)
    yield bench_platform
    clear_fleet(bench_platform)
