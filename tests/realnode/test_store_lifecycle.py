"""A second real Medusa store beside ``real_shop``, through its life: the operator is SIGKILLed while it
provisions it (it still converges, with exactly one Helm release), the stores' NetworkPolicies keep
them apart on the real NetworkPolicy engine while the ingress reaches both, and deleting it leaves
nothing behind — namespace, volumes, containers, Service rules on the node."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from tests.cluster.operator.storeops import create_store, helm_history, status_of, wait_gone, wait_ready
from tests.realnode import nodekit
from tests.realnode.realstores import REAL_READY_TIMEOUT, REAL_TIER_TIMEOUT, TIME_TO_READY, RealStore
from tests.support import wait_for

from storefleet_localcluster import hoststate, nodekinds
from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.platform import OperatorProcess

pytestmark = [pytest.mark.realnode, pytest.mark.timeout(REAL_TIER_TIMEOUT)]

POSTGRES_PORT = 5432


@pytest.fixture(scope="module")
def other(real_platform: OperatorProcess, real_tenant: str) -> Iterator[RealStore]:
    cluster = real_platform.cluster
    assert cluster.real_node is not None
    store = RealStore(cluster, real_tenant, "other", cluster.real_node.ingress_port)
    yield store
    cluster.kubectl("delete", "store", store.name, "-n", real_tenant, "--wait=false", "--ignore-not-found")


def test_an_operator_killed_mid_provisioning_still_brings_the_store_to_ready_with_one_release(
    real_platform: OperatorProcess, other: RealStore
) -> None:
    cluster, operator = other.cluster, real_platform
    started = time.monotonic()
    create_store(cluster, other.name, other.tenant_namespace, "medusa", "Other shop")

    def installing() -> bool:
        return bool(helm_history(cluster, other.namespace, other.name))

    wait_for(installing, "the operator to start the helm install", timeout=120, interval=0.5)
    operator.kill()
    assert status_of(cluster, other.tenant_namespace, other.name)["phase"] == "Provisioning"
    operator.start()
    wait_ready(cluster, other.tenant_namespace, other.name, timeout=REAL_READY_TIMEOUT)
    TIME_TO_READY["medusa/other (operator killed)"] = time.monotonic() - started
    releases = json.loads(cluster.helm("list", "-n", other.namespace, "-a", "-o", "json").stdout)
    assert [(r["name"], r["status"]) for r in releases] == [(other.name, "deployed")]
    status = other.status
    assert status["phase"] == "Ready" and status["simulated"] is False
    assert "Failed" not in [h["phase"] for h in status["history"]]
    with other.http() as client:  # the Ingress sends /store to Medusa (/health is the storefront's)
        products = client.get("/store/products")
        assert products.status_code == 200 and products.json()["products"], products.text[:300]


def restricted_client(name: str, ns: str, image: str) -> dict[str, Any]:
    """The node helper's client pod, made acceptable to a store namespace (Pod Security restricted)."""
    pod = nodekit.client_pod(name, ns, image)
    pod["spec"]["securityContext"] = {
        "runAsNonRoot": True,
        "runAsUser": 65534,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    pod["spec"]["containers"][0]["securityContext"] = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
    }
    return pod


def can_connect(cluster: LocalCluster, ns: str, pod: str, host: str, port: int) -> bool:
    done = nodekit.run_in(cluster, ns, pod, "sh", "-c", 'nc -w 3 "$0" "$1" </dev/null', host, str(port))
    return done.returncode == 0


def test_a_pod_in_one_store_cannot_reach_another_stores_database(
    real_shop: RealStore, other: RealStore, realnode_images: dict[str, str]
) -> None:
    cluster = real_shop.cluster
    nodekit.apply(cluster, restricted_client("probe", real_shop.namespace, realnode_images["probe"]))
    try:
        nodekit.wait_ready(cluster, real_shop.namespace, "probe")
        own = f"{real_shop.name}-postgres.{real_shop.namespace}.svc.cluster.local"
        theirs = f"{other.name}-postgres.{other.namespace}.svc.cluster.local"
        assert can_connect(cluster, real_shop.namespace, "probe", own, POSTGRES_PORT)  # the probe itself works
        assert not can_connect(cluster, real_shop.namespace, "probe", theirs, POSTGRES_PORT)
    finally:
        cluster.kubectl("delete", "pod", "probe", "-n", real_shop.namespace, "--wait=false", "--ignore-not-found")


def test_the_ingress_controller_reaches_both_stores(real_shop: RealStore, other: RealStore) -> None:
    for store in (real_shop, other):  # the Ingress sends /store to Medusa and the rest to the storefront
        with store.http() as client:
            products, page = client.get("/store/products"), client.get("/")
        assert products.status_code == 200 and products.json()["products"], (store.name, products.text[:300])
        assert page.status_code == 200 and '<div id="root">' in page.text, (store.name, page.text[:300])


def service_rules() -> str:
    """kube-proxy's and the policy engine's rules on this host (iptables-nft and nft)."""
    return hoststate.run("iptables-save").stdout + hoststate.run("nft", "list", "ruleset").stdout


def test_deleting_the_store_leaves_nothing_behind(other: RealStore) -> None:
    cluster = other.cluster
    assert cluster.real_node is not None
    ns = other.namespace
    volumes = [
        c["spec"]["volumeName"]
        for c in json.loads(cluster.kubectl("get", "pvc", "-n", ns, "-o", "json").stdout)["items"]
    ]
    containers = [
        s["containerID"].removeprefix("containerd://")
        for p in other.pods()
        for s in p["status"].get("containerStatuses") or []
        if p["spec"].get("nodeName") == nodekinds.REAL_NODE_NAME
    ]
    assert volumes and containers
    assert f"{ns}/" in service_rules()

    cluster.kubectl("delete", "store", other.name, "-n", other.tenant_namespace, "--wait=false")
    wait_gone(cluster, other.tenant_namespace, other.name, timeout=REAL_READY_TIMEOUT)
    assert cluster.kubectl("get", "namespace", ns, check=False).returncode != 0
    left = cluster.kubectl("get", "pv", "-o", "name").stdout
    assert not [v for v in volumes if v in left]

    def containers_gone() -> bool:
        listed = cluster.real_node.ctr("containers", "list", "-q").stdout.split() if cluster.real_node else []
        return not set(containers) & set(listed)

    wait_for(containers_gone, "the store's containers to be removed from containerd", timeout=120, interval=2)
    wait_for(lambda: f"{ns}/" not in service_rules(), "the store's Service rules to leave the node", timeout=120)
