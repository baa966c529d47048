"""WooCommerce beside a real node: its images cannot be built here (WordPress 6.7, WP-CLI and WooCommerce
are in no registry this machine reaches), so values-realnode.yaml pins its pods to the kwok node and
the operator marks the store simulated — from where the pods landed — while Medusa runs for real."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.cluster.operator.storeops import events_of
from tests.realnode.realstores import REAL_TIER_TIMEOUT, RealStore, apply_and_wait

from storefleet_localcluster import kwokconfig
from storefleet_localcluster.platform import OperatorProcess

pytestmark = [pytest.mark.realnode, pytest.mark.timeout(REAL_TIER_TIMEOUT)]


@pytest.fixture(scope="module")
def woo(real_platform: OperatorProcess, real_tenant: str) -> Iterator[RealStore]:
    cluster = real_platform.cluster
    assert cluster.real_node is not None
    store = apply_and_wait(RealStore(cluster, real_tenant, "woo", cluster.real_node.ingress_port), "woocommerce")
    yield store
    cluster.kubectl("delete", "store", store.name, "-n", real_tenant, "--wait=false", "--ignore-not-found")


def test_woocommerce_runs_on_the_simulated_node_and_says_so(woo: RealStore) -> None:
    status = woo.status
    assert (status["phase"], status["simulated"]) == ("Ready", True)
    assert "pods run on a simulated node; nothing is served" in next(
        c["message"] for c in status["conditions"] if c["type"] == "Simulated"
    )
    assert {p["spec"]["nodeName"] for p in woo.pods()} == {kwokconfig.NODE_NAME}
    assert any(e["reason"] == "SimulatedNode" for e in events_of(woo.cluster, woo.tenant_namespace, woo.name))


def test_kubectl_get_stores_tells_the_simulated_store_from_the_real_one(woo: RealStore, real_shop: RealStore) -> None:
    table = woo.cluster.kubectl("get", "stores", "-n", woo.tenant_namespace).stdout.splitlines()
    column = table[0].split().index("SIMULATED")
    rows = {line.split()[0]: line.split() for line in table[1:]}
    assert rows["woo"][column] == "true"
    assert rows["shop"][column] == "false"
