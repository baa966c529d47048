"""GET /api/v1/admin/overview and the admin store list's text filter, with the real operator: what
the dashboard's admin pages show."""

from __future__ import annotations

import httpx
import pytest
from store_support import (
    PROVISION_SECONDS,
    admin_account,
    clean_up,
    create,
    follow,
    tenant_account,
)

from storefleet_localcluster.cluster import LocalCluster

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(PROVISION_SECONDS + 120)]


async def test_the_overview_counts_ready_stores_and_their_provisioning_time(
    http: httpx.AsyncClient, cluster: LocalCluster
) -> None:
    kim = await tenant_account(http, cluster, "kim")
    admin = await admin_account(http, cluster)
    before = (await http.get("/api/v1/admin/overview", headers=admin.headers)).json()
    await create(http, kim, "kim-shop", display_name="Kim's Tea Room")
    ended = await follow(http, "kim-shop", kim.headers)
    assert ended[-1] == ("end", {"reason": "ready"}), ended[-3:]

    response = await http.get("/api/v1/admin/overview", headers=admin.headers)
    assert response.status_code == 200, response.text
    after = response.json()
    assert set(after["by_phase"]) == {"Requested", "Provisioning", "Ready", "Failed", "Deleting"}
    assert after["by_phase"]["Ready"] == before["by_phase"]["Ready"] + 1
    assert after["total"] == before["total"] + 1
    assert after["provisioning"]["samples"] == before["provisioning"]["samples"] + 1
    assert 0 < after["provisioning"]["p50_seconds"] <= after["provisioning"]["p95_seconds"] < PROVISION_SECONDS

    found = await http.get("/api/v1/admin/stores", params={"q": "TEA ROOM"}, headers=admin.headers)
    assert [(item["id"], item["tenant"]) for item in found.json()["items"]] == [("kim-shop", kim.tenant)]
    by_tenant = await http.get("/api/v1/admin/stores", params={"q": kim.tenant}, headers=admin.headers)
    assert [item["id"] for item in by_tenant.json()["items"]] == ["kim-shop"]
    nothing = await http.get("/api/v1/admin/stores", params={"q": "no store is called this"}, headers=admin.headers)
    assert nothing.json()["items"] == []

    refused = await http.get("/api/v1/admin/overview", headers=kim.headers)
    assert refused.status_code == 403
    clean_up(cluster, kim, admin)
