"""The durable audit log with the real operator, a real gateway and a real PostgreSQL: what a real
provisioning and a real lockout write shows up on the admin audit page, read from the database (not
from Events), filtered by tenant, store, type and time; Events remain for `kubectl describe`; only
admins read it; hostile filters get a 4xx or nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from gateway_support import login
from store_support import (
    PROVISION_SECONDS,
    Account,
    admin_account,
    clean_up,
    create,
    event_reasons,
    gateway_beside_the_operator,
    tenant_account,
)
from tests.audit.fixtures import AuditDatabase
from tests.cluster.operator_support import OperatorProcess

from storefleet_localcluster.cluster import LocalCluster
from storefleet_operator.adapters.audit_store import TABLE

pytestmark = [pytest.mark.cluster, pytest.mark.audit, pytest.mark.timeout(PROVISION_SECONDS + 120)]


@pytest.fixture
async def http(operator: OperatorProcess, audit_database: AuditDatabase) -> AsyncIterator[httpx.AsyncClient]:
    # A low lockout threshold so the test can cause a real AccountLocked security event.
    async with gateway_beside_the_operator(
        operator.cluster, audit_database_url=audit_database.url, lockout_threshold=2
    ) as client:
        yield client


async def audit(http: httpx.AsyncClient, admin: Account, **params: str) -> list[dict[str, Any]]:
    response = await http.get("/api/v1/admin/audit", params=params, headers=admin.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def until_audited(
    http: httpx.AsyncClient, admin: Account, types: set[str], within: float = PROVISION_SECONDS, **params: str
) -> list[dict[str, Any]]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        items = await audit(http, admin, **params, limit="500")
        if types <= {item["type"] for item in items}:
            return items
        seen = sorted({(item["type"], item["source"]) for item in items})
        missing = types - {item["type"] for item in items}
        assert loop.time() < deadline, f"{missing} never reached the audit page: {seen}"
        await asyncio.sleep(1)


async def test_a_provisioning_and_a_lockout_are_kept_in_the_database_and_filterable(
    http: httpx.AsyncClient, cluster: LocalCluster, audit_database: AuditDatabase
) -> None:
    lea = await tenant_account(http, cluster, "lea")
    max_ = await tenant_account(http, cluster, "max")
    admin = await admin_account(http, cluster)
    await create(http, lea, "lea-shop")
    await create(http, lea, "lea-blog")
    await create(http, max_, "max-shop")
    for _ in range(3):  # wrong passwords until the account locks: a security event
        await login(http, lea.email, "not-the-password")

    # StoreRequested is the gateway's; Provisioning (first steps) and Succeeded (Ready) the operator's.
    operator_and_gateway = {"StoreRequested", "Provisioning", "Succeeded"}
    items = await until_audited(http, admin, operator_and_gateway, tenant=lea.tenant, store="lea-shop")
    assert {item["store"] for item in items} == {"lea-shop"}
    assert {item["tenant"] for item in items} == {lea.tenant}
    assert {item["source"] for item in items} == {"storefleet.io/storefleet-gateway", "storefleet-operator"}
    times = [item["time"] for item in items]
    assert times == sorted(times, reverse=True)
    # The rows are in PostgreSQL, not only in Events.
    rows = audit_database.sql(f"SELECT count(*) FROM {TABLE} WHERE tenant = '{lea.tenant}' AND store = 'lea-shop';")  # noqa: S608
    assert int(rows) == len(items)
    # Events remain for kubectl describe.
    assert operator_and_gateway <= set(event_reasons(cluster, lea.namespace, "lea-shop"))

    locked = await until_audited(http, admin, {"AccountLocked"}, within=30, category="security", type="AccountLocked")
    assert any(lea.email in item["message"] and item["user_id"] for item in locked)
    registered = await until_audited(http, admin, {"UserRegistered"}, within=30, category="security", tenant=lea.tenant)
    assert all(item["category"] == "security" and item["store"] is None for item in registered)

    by_type = await audit(http, admin, type="StoreRequested", tenant=lea.tenant)
    assert sorted(item["store"] for item in by_type) == ["lea-blog", "lea-shop"]
    only_max = await audit(http, admin, tenant=max_.tenant, category="store")
    assert only_max and {item["store"] for item in only_max} == {"max-shop"}
    assert await audit(http, admin, tenant=lea.tenant, until="2000-01-01T00:00:00Z") == []
    future = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    assert await audit(http, admin, since=future) == []
    newest = items[0]["time"]
    window = await audit(http, admin, tenant=lea.tenant, store="lea-shop", until=newest)
    assert window and all(item["time"] < newest for item in window)

    refused = await http.get("/api/v1/admin/audit", params={"tenant": lea.tenant}, headers=lea.headers)
    assert refused.status_code == 403, refused.text
    clean_up(cluster, lea, max_, admin)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("store=" + quote("shop' OR '1'='1"), id="store-sql-quote"),
        pytest.param("store=" + quote("shop,involvedObject.kind=Secret"), id="store-selector-injection"),
        pytest.param("type=" + quote("Succeeded'; DROP TABLE storefleet_audit_events; --"), id="type-drop-table"),
        pytest.param("tenant=" + quote("ålice☃"), id="tenant-unicode"),
        pytest.param("store=" + "a" * 10_000, id="store-10kb"),
        pytest.param("until=tomorrow", id="until-not-a-time"),
    ],
)
async def test_hostile_audit_filters_get_a_4xx_with_the_database(
    http: httpx.AsyncClient, cluster: LocalCluster, audit_database: AuditDatabase, query: str
) -> None:
    admin = await admin_account(http, cluster)
    before = audit_database.sql(f"SELECT count(*) FROM {TABLE};")  # noqa: S608
    response = await http.get(f"/api/v1/admin/audit?{query}", headers=admin.headers)
    assert 400 <= response.status_code < 500, response.text
    assert int(audit_database.sql(f"SELECT count(*) FROM {TABLE};")) >= int(before)  # noqa: S608 - table intact
