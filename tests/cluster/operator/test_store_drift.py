"""Drift under a Ready store is seen at once, from watches of its namespace and workloads, not at the
idle re-look (an hour by default): a Deployment scaled by hand past the store's quota takes the store
out of Ready within seconds, and back once it is scaled down; a namespace label removed by hand is put
back; a Deployment deleted by hand is made again (a helm upgrade of the same values). The session
operator runs with the default ``idle_resync_seconds``, so only a watch can do it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from tests.cluster.operator.storeops import (
    condition,
    create_store,
    delete_all_stores,
    new_tenant_namespace,
    status_of,
    store_namespace,
    wait_ready,
)
from tests.cluster.operator_support import OperatorProcess
from tests.support import wait_for

from storefleet_localcluster.cluster import LocalCluster
from storefleet_operator.settings import OperatorSettings

pytestmark = pytest.mark.cluster

NOTICED_WITHIN = 20.0
"""Seconds for a drift to show on the Store: a watch event and one pass, with room for a loaded machine."""
ENFORCE = "pod-security.kubernetes.io/enforce"


@pytest.fixture(scope="module")
def shop(operator: OperatorProcess) -> Iterator[tuple[str, str]]:
    """A Ready Medusa store: its tenant namespace and its store namespace."""
    assert "STOREFLEET_OPERATOR_IDLE_RESYNC_SECONDS" not in operator.environment()
    assert OperatorSettings().idle_resync_seconds >= 600, "the idle re-look must not be what notices"
    cluster = operator.cluster
    namespace = new_tenant_namespace(cluster, prefix="drift")
    create_store(cluster, "shop", namespace, "medusa", "Drifting Shop")
    wait_ready(cluster, namespace, "shop")
    yield namespace, store_namespace(namespace, "shop")
    delete_all_stores(cluster, namespace)


def ready(cluster: LocalCluster, namespace: str) -> str | None:
    return condition(status_of(cluster, namespace, "shop"), "Ready").get("status")


def medusa_deployment(cluster: LocalCluster, store_ns: str) -> str:
    selector = "app.kubernetes.io/component=medusa"
    out = cluster.kubectl("get", "deployments", "-n", store_ns, "-l", selector, "-o", "name")
    names = out.stdout.split()
    assert len(names) == 1, out.stdout
    return names[0]


def test_a_workload_scaled_past_the_quota_by_hand_shows_on_the_store_at_once(
    operator: OperatorProcess, shop: tuple[str, str]
) -> None:
    cluster = operator.cluster
    namespace, store_ns = shop
    deployment = medusa_deployment(cluster, store_ns)
    cluster.kubectl("scale", deployment, "-n", store_ns, "--replicas=10")
    try:
        wait_for(lambda: ready(cluster, namespace) != "True", "the store to leave Ready", timeout=NOTICED_WITHIN)
        status = status_of(cluster, namespace, "shop")
        assert "/10 ready" in condition(status, "Ready").get("message", ""), status
    finally:
        cluster.kubectl("scale", deployment, "-n", store_ns, "--replicas=1")
    wait_ready(cluster, namespace, "shop", timeout=60)


def test_a_namespace_label_removed_by_hand_is_put_back(operator: OperatorProcess, shop: tuple[str, str]) -> None:
    cluster = operator.cluster
    _, store_ns = shop

    def enforce() -> str | None:
        found = json.loads(cluster.kubectl("get", "namespace", store_ns, "-o", "json").stdout)
        label: str | None = found["metadata"].get("labels", {}).get(ENFORCE)
        return label

    wanted = enforce()
    assert wanted == "restricted", "a Medusa store's namespace enforces the restricted Pod Security level"
    cluster.kubectl("label", "namespace", store_ns, f"{ENFORCE}-")
    wait_for(lambda: enforce() == wanted, "the operator to put the label back", timeout=NOTICED_WITHIN)


def test_a_deployment_deleted_by_hand_is_made_again(operator: OperatorProcess, shop: tuple[str, str]) -> None:
    cluster = operator.cluster
    namespace, store_ns = shop
    deployment = medusa_deployment(cluster, store_ns)
    uid = cluster.kubectl("get", deployment, "-n", store_ns, "-o", "jsonpath={.metadata.uid}").stdout
    cluster.kubectl("delete", deployment, "-n", store_ns, "--wait=true")

    def made_again() -> bool:
        found = cluster.kubectl("get", deployment, "-n", store_ns, "-o", "jsonpath={.metadata.uid}", check=False)
        return found.returncode == 0 and found.stdout not in ("", uid)

    wait_for(made_again, "the operator to make the deleted Deployment again", timeout=NOTICED_WITHIN + 40)
    wait_ready(cluster, namespace, "shop", timeout=90)
    listed = cluster.kubectl(
        "get", "events", "-n", namespace, "--field-selector", "involvedObject.name=shop", "-o", "json"
    )
    said = [e.get("message", "") for e in json.loads(listed.stdout)["items"]]
    why = f"what was deleted outside it: {deployment.replace('deployment.apps/', 'Deployment/')}"
    assert any(why in m for m in said), said
