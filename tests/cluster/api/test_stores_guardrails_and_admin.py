"""The guardrails around /api/v1/stores, with the real operator: the store limit (the Tenant's
storeLimit, enforced by Kubernetes quota), the creation cooldown across replicas, tenants the gateway
may not act for yet, stores hidden by RBAC; and what admins see (every tenant's stores, the audit log)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from store_support import (
    PROVISION_SECONDS,
    TENANT_SA,
    admin_account,
    clean_up,
    create,
    gateway_beside_the_operator,
    set_store_limit,
    store_exists,
    stores_in,
    tenant_account,
    until_gone,
)
from tests.cluster.operator_support import OperatorProcess

from storefleet_localcluster.cluster import LocalCluster
from storefleet_operator.tenant.resources import IMPERSONATION_BINDING

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(PROVISION_SECONDS + 120)]


async def test_the_store_limit_is_kubernetes_quota_and_answers_409_with_the_numbers(
    http: httpx.AsyncClient, cluster: LocalCluster
) -> None:
    gus = await tenant_account(http, cluster, "gus")
    set_store_limit(cluster, gus, 2)
    await create(http, gus, "one-shop")
    await create(http, gus, "two-shop")
    refused = await http.post("/api/v1/stores", json={"name": "three-shop", "engine": "medusa"}, headers=gus.headers)
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"].startswith(
        "store limit reached: 2 of 2 stores; delete one or ask an admin to raise the limit"
    )
    assert not store_exists(cluster, gus.namespace, "three-shop")  # nothing half-created
    await http.delete("/api/v1/stores/two-shop", headers=gus.headers)
    await until_gone(http, gus, "two-shop")
    await create(http, gus, "three-shop")
    clean_up(cluster, gus)


async def test_the_creation_cooldown_holds_across_replicas_and_spares_admins(
    operator: OperatorProcess, cluster: LocalCluster
) -> None:
    cooldown = {"store_create_cooldown_seconds": 30}
    async with (
        gateway_beside_the_operator(cluster, **cooldown) as one,
        gateway_beside_the_operator(cluster, **cooldown) as two,
    ):
        hal = await tenant_account(one, cluster, "hal")
        admin = await admin_account(one, cluster)
        refused_name = await one.post("/api/v1/stores", json={"name": "admin", "engine": "medusa"}, headers=hal.headers)
        first = await one.post("/api/v1/stores", json={"name": "first-shop", "engine": "medusa"}, headers=hal.headers)
        second = await two.post("/api/v1/stores", json={"name": "second-shop", "engine": "medusa"}, headers=hal.headers)
        by_admin = [
            await replica.post(
                f"/api/v1/stores?tenant={hal.tenant}", json={"name": name, "engine": "medusa"}, headers=admin.headers
            )
            for replica, name in ((two, "by-admin-1"), (one, "by-admin-2"))
        ]
    assert refused_name.status_code == 422  # a refused create starts no cooldown...
    assert first.status_code == 202, first.text  # ...so this one is not made to wait
    assert second.status_code == 429, second.text
    assert 25 <= int(second.headers["Retry-After"]) <= 30
    assert "wait" in second.json()["detail"]
    assert not store_exists(cluster, hal.namespace, "second-shop")
    assert [response.status_code for response in by_admin] == [202, 202], [r.text for r in by_admin]
    assert by_admin[0].json()["tenant"] == hal.tenant
    clean_up(cluster, hal, admin)


async def test_admins_see_every_tenant_and_tenants_see_no_admin_pages(
    http: httpx.AsyncClient, cluster: LocalCluster
) -> None:
    ivy, jon = await tenant_account(http, cluster, "ivy"), await tenant_account(http, cluster, "jon")
    admin = await admin_account(http, cluster)
    await create(http, ivy, "ivy-shop")
    await create(http, jon, "jon-shop", engine="woocommerce")

    seen: set[tuple[str, str]] = set()
    token: str | None = None
    for _ in range(100):  # every store on the platform, a page at a time
        page = await http.get("/api/v1/admin/stores", params={"limit": 100, **({"continue": token} if token else {})},
                              headers=admin.headers)  # fmt: skip
        assert page.status_code == 200, page.text
        seen |= {(item["id"], item["tenant"]) for item in page.json()["items"]}
        token = page.json()["continue_token"]
        if token is None:
            break
    assert {("ivy-shop", ivy.tenant), ("jon-shop", jon.tenant)} <= seen
    only_jon = await http.get(f"/api/v1/admin/stores?tenant={jon.tenant}", headers=admin.headers)
    assert [item["id"] for item in only_jon.json()["items"]] == ["jon-shop"]
    medusa = await http.get(f"/api/v1/admin/stores?tenant={ivy.tenant}&engine=woocommerce", headers=admin.headers)
    assert medusa.json()["items"] == []
    one = await http.get(f"/api/v1/stores/ivy-shop?tenant={ivy.tenant}", headers=admin.headers)
    assert one.status_code == 200 and one.json()["tenant"] == ivy.tenant
    wrong = await http.get(f"/api/v1/stores/ivy-shop?tenant={jon.tenant}", headers=admin.headers)
    assert wrong.status_code == 404  # an id is looked up in the named tenant only

    audit = await http.get(f"/api/v1/admin/audit?tenant={ivy.tenant}", headers=admin.headers)
    assert audit.status_code == 200, audit.text
    kinds = {(entry["category"], entry["type"]) for entry in audit.json()["items"]}
    assert {("store", "StoreRequested"), ("security", "UserRegistered")} <= kinds
    assert all(entry["tenant"] == ivy.tenant for entry in audit.json()["items"])
    times = [entry["time"] for entry in audit.json()["items"]]
    assert times == sorted(times, reverse=True)
    requested = await http.get("/api/v1/admin/audit?type=StoreRequested&category=store", headers=admin.headers)
    assert requested.json()["items"] and {e["type"] for e in requested.json()["items"]} == {"StoreRequested"}
    future = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (await http.get(f"/api/v1/admin/audit?since={future}", headers=admin.headers)).json()["items"] == []

    for path in ("/api/v1/admin/stores", "/api/v1/admin/audit", f"/api/v1/stores?tenant={jon.tenant}"):
        refused = await http.get(path, headers=ivy.headers)
        assert refused.status_code == 403, (path, refused.text)
    clean_up(cluster, ivy, jon, admin)


async def test_a_tenant_the_gateway_may_not_act_for_is_told_to_wait_and_nothing_is_written(
    http: httpx.AsyncClient, cluster: LocalCluster
) -> None:
    kim = await tenant_account(http, cluster, "kim")
    # As before the operator has set the tenant up: the gateway may not impersonate its account.
    cluster.kubectl("delete", "rolebinding", IMPERSONATION_BINDING, "-n", kim.namespace)
    listed = await http.get("/api/v1/stores", headers=kim.headers)
    created = await http.post("/api/v1/stores", json={"name": "early", "engine": "medusa"}, headers=kim.headers)
    assert (listed.status_code, created.status_code) == (503, 503), created.text
    assert "being set up" in created.json()["detail"] and created.headers["Retry-After"] == "5"
    assert stores_in(cluster, kim.namespace) == []
    clean_up(cluster, kim)


async def test_a_store_hidden_by_rbac_answers_404_not_403(http: httpx.AsyncClient, cluster: LocalCluster) -> None:
    ned = await tenant_account(http, cluster, "ned")
    await create(http, ned, "ned-shop")
    # Take the tenant's own access away: Kubernetes now answers 403 for the store, to its owner.
    cluster.kubectl("delete", "rolebinding", TENANT_SA, "-n", ned.namespace)
    hidden = await http.get("/api/v1/stores/ned-shop", headers=ned.headers)
    assert hidden.status_code == 404, hidden.text
    clean_up(cluster, ned)
