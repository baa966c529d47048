"""Tenant isolation with the real operator: tenant B asking for tenant A's store gets the same 404
as for a store that never existed, on every endpoint; B's list never shows A's stores; and B's own
ServiceAccount, used directly with kubectl, cannot touch A's Store or read A's credentials Secret
(the RBAC here is the operator's, not a stand-in)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from store_support import (
    PROVISION_SECONDS,
    TENANT_SA,
    Account,
    clean_up,
    create,
    follow,
    gateway_beside_the_operator,
    tenant_account,
)
from tests.cluster.operator_support import OperatorProcess

from storefleet_localcluster.cluster import LocalCluster
from storefleet_operator import contract, naming

pytestmark = pytest.mark.cluster

A_STORE = "alpha-shop"


@dataclass
class Pair:
    http: httpx.AsyncClient
    cluster: LocalCluster
    a: Account
    b: Account


@pytest.fixture
async def pair(operator: OperatorProcess) -> AsyncIterator[Pair]:
    """Tenants A and B, and A's store provisioned to Ready by the operator."""
    async with gateway_beside_the_operator(operator.cluster) as http:
        a = await tenant_account(http, operator.cluster, "tenant-a")
        b = await tenant_account(http, operator.cluster, "tenant-b")
        await create(http, a, A_STORE)
        followed = await follow(http, A_STORE, a.headers)
        assert followed[-1] == ("end", {"reason": "ready"}), followed[-3:]
        yield Pair(http, operator.cluster, a, b)
    clean_up(operator.cluster, a, b)


ENDPOINTS = [
    pytest.param("GET", "/api/v1/stores/{id}", id="get"),
    pytest.param("DELETE", "/api/v1/stores/{id}", id="delete"),
    pytest.param("POST", "/api/v1/stores/{id}/retry", id="retry"),
    pytest.param("GET", "/api/v1/stores/{id}/events", id="events"),
    pytest.param("GET", "/api/v1/stores/{id}/credentials", id="credentials"),
    pytest.param("GET", "/api/v1/stores/{id}/stream", id="stream"),
]


def kubectl_as(cluster: LocalCluster, kubeconfig: Path, *args: str) -> tuple[int, str]:
    result = cluster.kubectl(*args, kubeconfig=kubeconfig, check=False)
    return result.returncode, result.stderr


@pytest.mark.timeout(PROVISION_SECONDS + 120)
async def test_tenant_b_cannot_see_or_touch_tenant_a_through_the_gateway_or_kubectl(pair: Pair) -> None:
    http, cluster, a, b = pair.http, pair.cluster, pair.a, pair.b
    for endpoint in ENDPOINTS:
        method, template = endpoint.values
        theirs = await http.request(method, template.format(id=A_STORE), headers=b.headers)
        missing = await http.request(method, template.format(id="never-was"), headers=b.headers)
        assert theirs.status_code == 404, (endpoint.id, theirs.text)
        assert theirs.json()["detail"].replace(A_STORE, "X") == missing.json()["detail"].replace("never-was", "X")
        if method == "GET":  # the same request from the owner is answered
            mine = await http.get(template.format(id=A_STORE), headers=a.headers)
            assert mine.status_code == 200, (endpoint.id, mine.text)
    listed = await http.get("/api/v1/stores?limit=100", headers=b.headers)
    assert listed.status_code == 200 and listed.json()["items"] == []
    other_tenant = await http.get(f"/api/v1/stores/{A_STORE}?tenant={a.tenant}", headers=b.headers)
    assert other_tenant.status_code == 403  # choosing a tenant is for admins; says nothing about A's stores
    untouched = yaml.safe_load(cluster.kubectl("get", "store", A_STORE, "-n", a.namespace, "-o", "json").stdout)
    assert "deletionTimestamp" not in untouched["metadata"]
    assert contract.ANNOTATION_REQUESTED_AT not in untouched["metadata"].get("annotations", {})

    as_b = cluster.service_account_kubeconfig(b.namespace, TENANT_SA)
    store_ns = naming.store_namespace(a.namespace, A_STORE)
    secret = naming.credentials_secret_name(A_STORE)
    attempts = {
        "get": ("get", "store", A_STORE, "-n", a.namespace),
        "list": ("get", "stores", "-n", a.namespace),
        "patch": ("patch", "store", A_STORE, "-n", a.namespace, "--type=merge", "-p", '{"spec":{"displayName":"x"}}'),
        "delete": ("delete", "store", A_STORE, "-n", a.namespace, "--wait=false"),
        "read-credentials": ("get", "secret", secret, "-n", store_ns),
        "list-all-namespaces": ("get", "stores", "--all-namespaces"),
    }
    for what, args in attempts.items():
        code, error = kubectl_as(cluster, as_b, *args)
        assert code != 0 and "Forbidden" in error, (what, error)
    # The same account in its own namespace is allowed, and A's account may read A's credentials:
    # the refusals above are about whose tenant it is.
    code, error = kubectl_as(cluster, as_b, "get", "stores", "-n", b.namespace)
    assert code == 0, error
    as_a = cluster.service_account_kubeconfig(a.namespace, TENANT_SA)
    code, error = kubectl_as(cluster, as_a, "get", "secret", secret, "-n", store_ns)
    assert code == 0, error
