"""A tenant's whole journey through the gateway, with the real operator doing the work: sign up, log
in, create a store of each engine, follow the progress stream to Ready, read the credentials, delete
the store and see it gone (404, and its namespace removed).

Both processes run as their own ServiceAccounts in storefleet-system (deploy/operator and
deploy/gateway RBAC), the gateway behind a real uvicorn so the stream is a real stream. Engine setup
runs the recording fakes of `wp`/`medusa` on kwok; container images never run on this machine.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from gateway_support import PASSWORD
from store_support import PROVISION_SECONDS, follow, gateway_beside_the_operator, retry_while_setting_up
from tests.cluster.operator_support import OperatorProcess

from storefleet_operator import naming

pytestmark = pytest.mark.cluster


@pytest.fixture
async def gateway(operator: OperatorProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_beside_the_operator(operator.cluster) as http:
        yield http


async def test_a_tenant_signs_up_creates_follows_reads_and_deletes_a_store_of_each_engine(
    operator: OperatorProcess, gateway: httpx.AsyncClient
) -> None:
    http, cluster = gateway, operator.cluster
    email = f"journey-{uuid.uuid4().hex[:8]}@example.com"
    registered = await http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    if registered.json()["user"]["role"] == "admin":  # the platform's first account; the journey is a tenant's
        email = f"journey-{uuid.uuid4().hex[:8]}@example.com"
        registered = await http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
        assert registered.status_code == 201, registered.text
    logged_in = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert logged_in.status_code == 200, logged_in.text
    user = logged_in.json()["user"]
    assert user["role"] == "tenant"
    headers = {"Authorization": f"Bearer {logged_in.json()['access_token']}"}
    tenant_ns = naming.tenant_namespace(user["tenant"])

    requests = {
        "journey-woo": {"engine": "woocommerce", "display_name": "Journey Coffee", "theme": "storefront"},
        "journey-medusa": {"engine": "medusa", "display_name": "Journey Gear", "storefront": True},
    }
    for name, fields in requests.items():
        created = await retry_while_setting_up(
            lambda name=name, fields=fields: http.post("/api/v1/stores", json={"name": name, **fields}, headers=headers)
        )
        assert created.status_code == 202, created.text

    streams = await asyncio.wait_for(
        asyncio.gather(*(follow(http, name, headers) for name in requests)), PROVISION_SECONDS
    )
    for name, seen in zip(requests, streams, strict=True):
        statuses = [data for event, data in seen if event == "status"]
        assert seen[-1] == ("end", {"reason": "ready"}), (name, seen[-3:], operator.logs()[-3000:])
        assert statuses[-1]["phase"] == "Ready" and statuses[-1]["ready"] == "True"
        assert statuses[-1]["url"] and statuses[-1]["admin_url"]
        assert len(statuses) >= 2  # it was followed, not just read once when it was done

        credentials = await http.get(f"/api/v1/stores/{name}/credentials", headers=headers)
        assert credentials.status_code == 200, credentials.text
        login = credentials.json()
        assert login["username"] and len(login["password"]) >= 16
        assert login["password"] != PASSWORD  # never the tenant's platform password (predecessor's B9)
        assert credentials.headers["Cache-Control"] == "no-store"

    for name in requests:
        deleted = await http.delete(f"/api/v1/stores/{name}", headers=headers)
        assert deleted.status_code == 202, deleted.text
    for name in requests:
        store_ns = naming.store_namespace(tenant_ns, name)
        for _ in range(PROVISION_SECONDS):
            gone = (await http.get(f"/api/v1/stores/{name}", headers=headers)).status_code == 404
            ns = cluster.kubectl("get", "namespace", store_ns, "--ignore-not-found", "-o", "name").stdout.strip()
            if gone and not ns:
                break
            await asyncio.sleep(1)
        else:
            raise AssertionError(f"store {name} or its namespace {store_ns} is still there")
    assert (await http.get("/api/v1/stores", headers=headers)).json()["items"] == []
    cluster.kubectl("delete", "tenant", user["tenant"], "--wait=false")
