"""Tenant reads served from the gateway's watch-fed caches, with Kubernetes RBAC still the judge.

No operator runs here (it would put back the RoleBinding one test removes): each tenant's namespace
and RBAC are the Tenant reconciler's own objects (`tenant_objects`), applied by the test. The
gateway's access-review TTL is 1 s, so "within the TTL" is measured, not assumed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
import yaml
from gateway_support import PASSWORD, bearer, login
from store_support import TENANT_SA, Account, gateway_beside_the_operator, sign_up, until_quota_counted

from storefleet_api.services.identity import user_id_for
from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.platform import GATEWAY_SERVICE_ACCOUNT, PLATFORM_NAMESPACE
from storefleet_localcluster.toolchain import REPO_ROOT
from storefleet_operator.models import Tenant
from storefleet_operator.tenant.resources import TENANT_ROLE, tenant_objects

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(300)]

ACCESS_TTL = 1.0
TENANT_CLUSTER_ROLES = REPO_ROOT / "deploy" / "operator" / "tenant-clusterroles.yaml"


def set_up_tenant(cluster: LocalCluster, account: Account) -> None:
    """What the Tenant reconciler makes for a tenant: namespace, quota, RBAC, impersonation grant."""
    body = json.loads(cluster.kubectl("get", "tenant", account.tenant, "-o", "json").stdout)
    objects = tenant_objects(Tenant.from_body(body), PLATFORM_NAMESPACE, GATEWAY_SERVICE_ACCOUNT)
    cluster.kubectl("apply", "-f", str(TENANT_CLUSTER_ROLES), "-f", "-", input=yaml.safe_dump_all(objects))
    until_quota_counted(cluster, account.namespace)


@dataclass
class Tenants:
    http: httpx.AsyncClient
    cluster: LocalCluster
    a: Account
    b: Account


@pytest.fixture
async def tenants(installed_platform: LocalCluster, no_operator: None) -> AsyncIterator[Tenants]:
    cluster = installed_platform
    async with gateway_beside_the_operator(cluster, tenant_access_ttl_seconds=ACCESS_TTL) as http:
        accounts = []
        for prefix in ("cache-a", "cache-b"):
            account = await sign_up(http, prefix)
            if account.role == "admin":  # the platform's first account; tenants come after it
                account = await sign_up(http, prefix)
            await asyncio.to_thread(set_up_tenant, cluster, account)
            accounts.append(account)
        yield Tenants(http, cluster, *accounts)
    for account in accounts:
        # No operator runs to honour its finalizer: drop it, so no Store outlives the test (a later
        # operator would otherwise tear them down under another test's counts).
        for store in cluster.kubectl("get", "stores", "-n", account.namespace, "-o", "name").stdout.split():
            cluster.kubectl("patch", store, "-n", account.namespace, "--type=merge",
                            "-p", '{"metadata":{"finalizers":null}}', check=False)  # fmt: skip
        cluster.kubectl("delete", "stores", "--all", "-n", account.namespace, "--wait=true", check=False)
        cluster.kubectl("delete", "namespace", account.namespace, "--wait=false", check=False)
        cluster.kubectl("delete", "tenant", account.tenant, "--wait=false", check=False)


async def within(seconds: float, answered: Callable[[], Awaitable[bool]]) -> float:
    """How long until `answered()` is true; fails after `seconds`."""
    began = time.monotonic()
    while not await answered():
        assert time.monotonic() - began < seconds, f"not within {seconds} s"
        await asyncio.sleep(0.05)
    return time.monotonic() - began


async def test_a_tenant_reads_its_own_writes_at_once_from_the_cache(tenants: Tenants) -> None:
    http, a = tenants.http, tenants.a
    for name in ("own-1", "own-2", "own-3"):
        created = await http.post("/api/v1/stores", json={"name": name, "engine": "medusa"}, headers=a.headers)
        assert created.status_code == 202, created.text
        got = await http.get(f"/api/v1/stores/{name}", headers=a.headers)
        listed = await http.get("/api/v1/stores?limit=100", headers=a.headers)
        assert got.status_code == 200 and got.json()["id"] == name
        assert name in [item["id"] for item in listed.json()["items"]]
    first = await http.get("/api/v1/stores?limit=1", headers=a.headers)
    # A cache page's token, not the API's: the tenant's reads are served from the watch-fed cache.
    assert first.json()["continue_token"].startswith("cache:")
    deleted = await http.delete("/api/v1/stores/own-2", headers=a.headers)
    assert deleted.status_code == 202
    # The operator's finalizer (no operator runs here) keeps it, in Deleting: read at once as such.
    listed = await http.get("/api/v1/stores?limit=100", headers=a.headers)
    assert {item["id"]: item["deleting"] for item in listed.json()["items"]} == {
        "own-1": False,
        "own-2": True,
        "own-3": False,
    }
    assert (await http.get("/api/v1/stores/own-2", headers=a.headers)).json()["phase"] == "Deleting"


HOSTILE_IDS = ["their-shop", "THEIR-SHOP", "their-shop%2F..", "..%2Ftheir-shop", "their-shop.", "x" * 300]


async def test_a_tenant_never_reads_another_tenants_store_from_the_cache(tenants: Tenants) -> None:
    http, a, b = tenants.http, tenants.a, tenants.b
    created = await http.post("/api/v1/stores", json={"name": "their-shop", "engine": "medusa"}, headers=a.headers)
    assert created.status_code == 202, created.text
    mine = await http.get("/api/v1/stores/their-shop", headers=a.headers)
    assert mine.status_code == 200
    for store_id in HOSTILE_IDS:
        theirs = await http.get(f"/api/v1/stores/{store_id}", headers=b.headers)
        assert theirs.status_code in (404, 422), (store_id, theirs.text)
    other = await http.get("/api/v1/stores/their-shop", headers=b.headers)
    never = await http.get("/api/v1/stores/never-was", headers=b.headers)
    assert other.status_code == never.status_code == 404
    assert other.json()["detail"].replace("their-shop", "X") == never.json()["detail"].replace("never-was", "X")
    assert (await http.get("/api/v1/stores?limit=100", headers=b.headers)).json()["items"] == []
    assert (await http.get(f"/api/v1/stores/their-shop?tenant={a.tenant}", headers=b.headers)).status_code == 403
    # A page token forged to start inside A's namespace still pages through B's namespace only.
    forged = "cache:" + base64.urlsafe_b64encode(f"{a.namespace}/a".encode()).decode()
    paged = await http.get("/api/v1/stores", params={"limit": 100, "continue": forged}, headers=b.headers)
    assert paged.status_code == 200 and paged.json()["items"] == []


async def test_a_tenant_whose_role_binding_is_removed_loses_access_within_the_ttl(tenants: Tenants) -> None:
    http, cluster, a = tenants.http, tenants.cluster, tenants.a
    created = await http.post("/api/v1/stores", json={"name": "kept-shop", "engine": "medusa"}, headers=a.headers)
    assert created.status_code == 202, created.text
    assert (await http.get("/api/v1/stores/kept-shop", headers=a.headers)).status_code == 200
    assert (await http.get("/api/v1/stores", headers=a.headers)).status_code == 200
    cluster.kubectl("delete", "rolebinding", TENANT_ROLE, "-n", a.namespace)
    removed_at = time.monotonic()

    async def get_refused() -> bool:
        return (await http.get("/api/v1/stores/kept-shop", headers=a.headers)).status_code == 404

    async def list_refused() -> bool:
        return (await http.get("/api/v1/stores", headers=a.headers)).status_code == 503

    await within(ACCESS_TTL + 1.0, get_refused)
    await within(ACCESS_TTL + 1.0 - (time.monotonic() - removed_at), list_refused)
    # Kubernetes agrees: the tenant's ServiceAccount itself may no longer read its stores.
    as_tenant = cluster.service_account_kubeconfig(a.namespace, TENANT_SA)
    refused = cluster.kubectl("get", "stores", "-n", a.namespace, kubeconfig=as_tenant, check=False)
    assert refused.returncode != 0 and "Forbidden" in refused.stderr


async def test_a_deleted_user_or_a_revoked_token_stops_working_within_a_second(tenants: Tenants) -> None:
    http, cluster, a, b = tenants.http, tenants.cluster, tenants.a, tenants.b
    # Revoked: the password changed on another replica; this one learns of it from its user watch.
    async with gateway_beside_the_operator(cluster) as other:
        logged_in = await login(other, a.email, PASSWORD)
        changed = await other.patch(
            "/api/v1/auth/password",
            json={"current_password": PASSWORD, "new_password": "another password entirely"},
            headers=bearer(logged_in.json()["access_token"]),
        )
        assert changed.status_code == 200, changed.text

    async def revoked() -> bool:
        return (await http.get("/api/v1/stores", headers=a.headers)).status_code == 401

    assert await within(1.0, revoked) < 1.0
    # Deleted: the user's Secret removed by hand (kubectl, as a cluster admin would).
    assert (await http.get("/api/v1/stores", headers=b.headers)).status_code == 200
    cluster.kubectl("delete", "secret", user_id_for(b.email), "-n", PLATFORM_NAMESPACE)

    async def gone() -> bool:
        return (await http.get("/api/v1/stores", headers=b.headers)).status_code == 401

    assert await within(1.0, gone) < 1.0
