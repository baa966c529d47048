"""/api/v1/stores with the real operator doing the work: the gateway acts as each tenant's
ServiceAccount (impersonation) to create, list, read, delete and retry stores, and shows their
events and credentials."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
import pytest
from store_support import (
    PROVISION_SECONDS,
    admin_account,
    clean_up,
    create,
    event_reasons,
    follow,
    hold,
    release,
    store_exists,
    store_object,
    tenant_account,
    until_gone,
)

from storefleet_localcluster.cluster import LocalCluster

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(PROVISION_SECONDS + 120)]


async def test_a_tenant_creates_a_store_of_each_engine_as_itself(
    http: httpx.AsyncClient, cluster: LocalCluster
) -> None:
    alice = await tenant_account(http, cluster, "alice")
    woo = await http.post(
        "/api/v1/stores",
        json={"name": "coffee-beans", "engine": "woocommerce", "display_name": "Coffee & Beans", "theme": "astra"},
        headers=alice.headers,
    )
    medusa = await http.post(
        "/api/v1/stores", json={"name": "gear-shop", "engine": "medusa", "storefront": False}, headers=alice.headers
    )
    # The gateway's own account may not create Stores (deploy/gateway): these ran as the tenant.
    assert woo.status_code == 202, woo.text
    assert medusa.status_code == 202, medusa.text
    assert {key: woo.json()[key] for key in ("id", "tenant", "engine", "display_name", "theme", "deleting")} == {
        "id": "coffee-beans",
        "tenant": alice.tenant,
        "engine": "woocommerce",
        "display_name": "Coffee & Beans",
        "theme": "astra",
        "deleting": False,
    }
    assert (medusa.json()["storefront"], medusa.json()["theme"]) == (False, None)

    written = store_object(cluster, alice.namespace, "coffee-beans")
    assert written["spec"] == {
        "engine": "woocommerce",
        "displayName": "Coffee & Beans",
        "woocommerce": {"theme": "astra"},
    }
    annotations = written["metadata"]["annotations"]
    assert annotations["storefleet.io/request-id"] == woo.headers["X-Request-ID"]
    assert annotations["storefleet.io/requested-by"].startswith("user-")
    assert "StoreRequested" in event_reasons(cluster, alice.namespace, "coffee-beans")
    got = await http.get("/api/v1/stores/gear-shop", headers=alice.headers)
    assert got.status_code == 200 and got.json()["engine"] == "medusa"
    clean_up(cluster, alice)


async def test_lists_filter_and_page_without_skipping_or_repeating_a_store(
    http: httpx.AsyncClient, cluster: LocalCluster
) -> None:
    bob = await tenant_account(http, cluster, "bob")
    names = ["shop-a", "shop-b", "shop-c", "shop-d"]
    for i, name in enumerate(names):
        await create(http, bob, name, engine="medusa" if i % 2 else "woocommerce")
    followed = await asyncio.gather(*(follow(http, name, bob.headers) for name in names))
    assert all(messages[-1] == ("end", {"reason": "ready"}) for messages in followed), followed

    async def every_page(query: str) -> list[str]:
        seen: list[str] = []
        token: str | None = None
        limit = int(query.split("limit=")[1].split("&")[0])
        for _ in range(20):
            after = f"&continue={quote(token, safe='')}" if token else ""
            page = await http.get(f"/api/v1/stores?{query}{after}", headers=bob.headers)
            assert page.status_code == 200, page.text
            assert len(page.json()["items"]) <= limit
            seen += [item["id"] for item in page.json()["items"]]
            token = page.json()["continue_token"]
            if token is None:
                return seen
        raise AssertionError("pagination never ended")

    assert sorted(await every_page("limit=1")) == names
    assert sorted(await every_page("limit=3")) == names
    assert sorted(await every_page("limit=1&engine=medusa")) == ["shop-b", "shop-d"]
    assert sorted(await every_page("limit=2&phase=Ready")) == names
    assert sorted(await every_page("limit=2&phase=Ready&engine=woocommerce")) == ["shop-a", "shop-c"]
    assert await every_page("limit=100&phase=Failed") == []
    clean_up(cluster, bob)


async def test_a_taken_name_is_409_and_a_deleted_name_can_be_used_again(
    http: httpx.AsyncClient, cluster: LocalCluster
) -> None:
    carol = await tenant_account(http, cluster, "carol")
    await create(http, carol, "reused")
    again = await http.post("/api/v1/stores", json={"name": "reused", "engine": "woocommerce"}, headers=carol.headers)
    assert again.status_code == 409 and "exists already" in again.json()["detail"]
    deleted = await http.delete("/api/v1/stores/reused", headers=carol.headers)
    assert deleted.status_code == 202 and deleted.json()["deleting"] is True
    await until_gone(http, carol, "reused")
    reused = await http.post("/api/v1/stores", json={"name": "reused", "engine": "woocommerce"}, headers=carol.headers)
    assert reused.status_code == 202 and reused.json()["engine"] == "woocommerce"  # the predecessor's B3 gave 500
    clean_up(cluster, carol)


async def test_deleting_cancels_a_store_still_provisioning_and_retry_cannot_revive_it(
    http: httpx.AsyncClient, cluster: LocalCluster
) -> None:
    dave = await tenant_account(http, cluster, "dave")
    await create(http, dave, "cancelled", engine="woocommerce")
    hold(cluster, dave.namespace, "cancelled")
    deleted = await http.delete("/api/v1/stores/cancelled", headers=dave.headers)
    assert deleted.status_code == 202, deleted.text
    assert (deleted.json()["phase"], deleted.json()["deleting"]) == ("Deleting", True)
    twice = await http.delete("/api/v1/stores/cancelled", headers=dave.headers)
    assert twice.status_code == 202  # asking again is harmless
    retry = await http.post("/api/v1/stores/cancelled/retry", headers=dave.headers)
    assert retry.status_code == 409 and "being deleted" in retry.json()["detail"]
    assert "DeletionRequested" in event_reasons(cluster, dave.namespace, "cancelled")
    await release(cluster, dave.namespace, "cancelled")
    await until_gone(http, dave, "cancelled")
    assert not store_exists(cluster, dave.namespace, "cancelled")
    clean_up(cluster, dave)


async def test_retry_asks_the_operator_again_and_says_who_asked(http: httpx.AsyncClient, cluster: LocalCluster) -> None:
    erin = await tenant_account(http, cluster, "erin")
    await create(http, erin, "again-shop")
    assert (await follow(http, "again-shop", erin.headers))[-1] == ("end", {"reason": "ready"})
    before = datetime.now(UTC)
    retried = await http.post("/api/v1/stores/again-shop/retry", headers=erin.headers)
    assert retried.status_code == 202, retried.text
    annotations = store_object(cluster, erin.namespace, "again-shop")["metadata"]["annotations"]
    requested_at = datetime.fromisoformat(annotations["storefleet.io/requested-at"].replace("Z", "+00:00"))
    assert before - timedelta(seconds=1) <= requested_at <= datetime.now(UTC) + timedelta(seconds=1)
    assert annotations["storefleet.io/request-id"] == retried.headers["X-Request-ID"]
    # The stream waits for the operator to handle *this* request before it reports Ready again.
    assert (await follow(http, "again-shop", erin.headers))[-1] == ("end", {"reason": "ready"})
    status = store_object(cluster, erin.namespace, "again-shop")["status"]
    assert status["lastHandledRequestedAt"] == annotations["storefleet.io/requested-at"]
    events = (await http.get("/api/v1/stores/again-shop/events", headers=erin.headers)).json()
    by_gateway = [event for event in events["events"] if event["source"].endswith("storefleet-gateway")]
    asked = [event for event in by_gateway if event["reason"] == "RetryRequested"]
    assert asked and erin.email in asked[0]["message"] and "while Ready" in asked[0]["message"]
    # The operator's own Event about the retry carries the same request id, for correlation.
    handled = [event for event in events["events"] if event not in by_gateway and event["reason"] == "RetryRequested"]
    assert handled and retried.headers["X-Request-ID"] in handled[0]["message"]
    assert events["history"] and events["history"][-1]["phase"] == "Ready"
    clean_up(cluster, erin)


async def test_credentials_are_for_the_owner_only_and_never_cached(
    http: httpx.AsyncClient, cluster: LocalCluster
) -> None:
    fay = await tenant_account(http, cluster, "fay")
    admin = await admin_account(http, cluster)
    await create(http, fay, "secret-shop", engine="woocommerce")
    assert (await follow(http, "secret-shop", fay.headers))[-1] == ("end", {"reason": "ready"})
    shown = await http.get("/api/v1/stores/secret-shop/credentials", headers=fay.headers)
    assert shown.status_code == 200, shown.text
    login = shown.json()
    assert login["username"] and len(login["password"]) >= 16 and login["admin_url"]
    assert shown.headers["Cache-Control"] == "no-store"

    as_admin = await http.get(f"/api/v1/stores/secret-shop/credentials?tenant={fay.tenant}", headers=admin.headers)
    assert as_admin.status_code == 403 and "owner" in as_admin.json()["detail"]
    missing = await http.get(f"/api/v1/stores/nope/credentials?tenant={fay.tenant}", headers=admin.headers)
    assert missing.status_code == 404  # 403 only for a store that exists
    events = (await http.get("/api/v1/stores/secret-shop/events", headers=fay.headers)).json()["events"]
    assert "CredentialsRead" in [event["reason"] for event in events]
    assert not any(login["password"] in event["message"] for event in events)
    clean_up(cluster, fay, admin)
