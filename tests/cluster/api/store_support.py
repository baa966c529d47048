"""Helpers for the stores endpoints' cluster tests, which run the gateway beside the real operator
(the session's `operator` fixture).

The gateway runs as deploy/gateway's ServiceAccount in storefleet-system: the account the operator's
Tenant reconciler lets impersonate each tenant's `storefleet-tenant` account. Everything a tenant
has (namespace, RBAC, quota) and everything a store becomes (status, credentials) is the operator's
work, never a stand-in. Each test uses its own accounts and its own client address (the platform's
login and sign-up counters are per address and shared by every test in the session).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import random
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
import yaml
from gateway_support import PASSWORD, bearer, login, register

from storefleet_api.app import create_app
from storefleet_api.config import Settings
from storefleet_api.services.identity import user_id_for
from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.platform import GATEWAY_SERVICE_ACCOUNT, PLATFORM_NAMESPACE
from storefleet_operator import naming
from storefleet_operator.tenant.resources import QUOTA_NAME, STORE_COUNT_RESOURCE, TENANT_SERVICE_ACCOUNT

TENANT_SA = TENANT_SERVICE_ACCOUNT
PROVISION_SECONDS = 420
"""Bound for helm install, rollouts on kwok and engine setup of a few stores at once."""
# Limits have their own tests; the cooldown is off unless a test turns it on.
RELAXED: dict[str, Any] = {"register_rate_limit": 1000, "login_rate_limit": 1000, "store_create_cooldown_seconds": 0}


@dataclass
class Account:
    email: str
    token: str
    tenant: str
    role: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)

    @property
    def namespace(self) -> str:
        return naming.tenant_namespace(self.tenant)


def own_address() -> str:
    """A client address of its own (198.18.0.0/15 is for benchmarks and tests), so this test's sign-ups
    and logins never count against another test's."""
    return f"198.18.{random.randrange(256)}.{random.randrange(1, 255)}"


def gateway_settings(cluster: LocalCluster, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "development",
        "platform_namespace": PLATFORM_NAMESPACE,
        "kubeconfig": cluster.service_account_kubeconfig(PLATFORM_NAMESPACE, GATEWAY_SERVICE_ACCOUNT),
        "trusted_proxies": ["127.0.0.1/32"],  # the test client says who it is in X-Forwarded-For
        **RELAXED,
    }
    return Settings(**(values | overrides))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def served_over_http(settings: Settings) -> AsyncIterator[tuple[str, Any]]:
    """The gateway behind a real uvicorn on a loopback port (ASGI-in-process buffers whole bodies,
    which hides what streaming does). Yields the base URL and the app."""
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not task.done(), "the gateway did not start"
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


@contextlib.asynccontextmanager
async def gateway_beside_the_operator(cluster: LocalCluster, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A gateway over real HTTP and a client for it, from an address of the test's own."""
    async with (
        served_over_http(gateway_settings(cluster, **overrides)) as (base, app),
        httpx.AsyncClient(
            base_url=base, timeout=httpx.Timeout(60, read=60), headers={"X-Forwarded-For": own_address()}
        ) as http,
    ):
        http.app = app  # type: ignore[attr-defined] - tests inspect the running app's state
        yield http


async def sign_up(http: httpx.AsyncClient, prefix: str) -> Account:
    email = f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"
    response = await register(http, email, PASSWORD)
    assert response.status_code == 201, response.text
    user = response.json()["user"]
    return Account(email=email, token=response.json()["access_token"], tenant=user["tenant"], role=user["role"])


def until_quota_counted(cluster: LocalCluster, namespace: str, limit: int | None = None, within: float = 120) -> None:
    """Quota admission refuses creates ("status unknown for quota") until the quota controller has
    counted once, and enforces an old limit until it has seen the new one: wait for both."""
    deadline = time.monotonic() + within
    while True:
        found = cluster.kubectl(
            "get", "resourcequota", QUOTA_NAME, "-n", namespace, "-o", "jsonpath={.status}", check=False
        ).stdout
        status = json.loads(found or "{}")
        hard = status.get("hard", {}).get(STORE_COUNT_RESOURCE)
        if (
            hard is not None
            and (limit is None or hard == str(limit))
            and STORE_COUNT_RESOURCE in status.get("used", {})
        ):
            return
        assert time.monotonic() < deadline, f"quota {namespace}/{QUOTA_NAME} never counted: {found!r}"
        time.sleep(0.3)


async def tenant_account(http: httpx.AsyncClient, cluster: LocalCluster, prefix: str) -> Account:
    """A new account whose Tenant the operator has set up: its stores can be created right away."""
    account = await sign_up(http, prefix)
    if account.role == "admin":  # the first account on the platform; the next one is a tenant
        account = await sign_up(http, prefix)
    cluster.kubectl("wait", f"tenant/{account.tenant}", "--for=condition=Ready", "--timeout=120s")
    await asyncio.to_thread(until_quota_counted, cluster, account.namespace)
    return account


async def admin_account(http: httpx.AsyncClient, cluster: LocalCluster) -> Account:
    """An admin, made the way a platform engineer makes one: by setting `role` in the user's Secret."""
    account = await sign_up(http, "admin")
    if account.role != "admin":
        role = base64.b64encode(b"admin").decode()
        cluster.kubectl(
            "patch", "secret", user_id_for(account.email), "-n", PLATFORM_NAMESPACE,
            "--type=merge", "-p", json.dumps({"data": {"role": role}}),
        )  # fmt: skip
    response = await login(http, account.email, PASSWORD)
    assert response.status_code == 200 and response.json()["user"]["role"] == "admin", response.text
    return Account(account.email, response.json()["access_token"], account.tenant, "admin")


def set_store_limit(cluster: LocalCluster, account: Account, limit: int) -> None:
    """What an admin does to a Tenant; waits until Kubernetes enforces it."""
    patch = json.dumps({"spec": {"storeLimit": limit}})
    cluster.kubectl("patch", "tenant", account.tenant, "--type=merge", "-p", patch)
    until_quota_counted(cluster, account.namespace, limit)


async def create(http: httpx.AsyncClient, account: Account, name: str, **fields: Any) -> dict[str, Any]:
    response = await http.post(
        "/api/v1/stores", json={"name": name, "engine": "medusa"} | fields, headers=account.headers
    )
    assert response.status_code == 202, response.text
    return dict(response.json())


async def retry_while_setting_up(send: Callable[[], Awaitable[httpx.Response]], within: float = 120) -> httpx.Response:
    """A tenant's namespace, RBAC and quota take the operator a moment: 503 + Retry-After till then."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        response = await send()
        if response.status_code != 503 or loop.time() > deadline:
            return response
        await asyncio.sleep(float(response.headers.get("Retry-After", "1")))


async def messages(response: httpx.Response) -> AsyncIterator[tuple[str, Any]]:
    """(event, data) for each SSE message; ("comment", text) for each `:` line."""
    event, data = "", ""
    async for line in response.aiter_lines():
        if line.startswith(":"):
            yield "comment", line[1:].strip()
        elif line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = line.removeprefix("data: ")
        elif line == "" and event:
            yield event, json.loads(data)
            event, data = "", ""


async def follow(http: httpx.AsyncClient, store_id: str, headers: dict[str, str]) -> list[tuple[str, Any]]:
    """Every SSE message of the store's stream, until the server ends it."""
    async with http.stream("GET", f"/api/v1/stores/{store_id}/stream", headers=headers) as response:
        assert response.status_code == 200, await response.aread()
        return [message async for message in messages(response)]


async def until_gone(http: httpx.AsyncClient, account: Account, name: str, within: float = PROVISION_SECONDS) -> None:
    """Until the operator has cleaned a deleted store up: the API says 404 and its namespace is gone."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while (await http.get(f"/api/v1/stores/{name}", headers=account.headers)).status_code != 404:
        assert loop.time() < deadline, f"store {name} is still there"
        await asyncio.sleep(0.5)


def store_object(cluster: LocalCluster, namespace: str, name: str) -> dict[str, Any]:
    return dict(yaml.safe_load(cluster.kubectl("get", "store", name, "-n", namespace, "-o", "json").stdout))


def store_exists(cluster: LocalCluster, namespace: str, name: str) -> bool:
    found = cluster.kubectl("get", "store", name, "-n", namespace, "--ignore-not-found", "-o", "name")
    return bool(found.stdout.strip())


def stores_in(cluster: LocalCluster, namespace: str) -> list[str]:
    listed = yaml.safe_load(cluster.kubectl("get", "stores", "-n", namespace, "-o", "json").stdout)
    return sorted(item["metadata"]["name"] for item in listed["items"])


def event_reasons(cluster: LocalCluster, namespace: str, name: str) -> list[str]:
    listed = cluster.kubectl(
        "get", "events", "-n", namespace, "--field-selector", f"involvedObject.name={name}", "-o", "json"
    )
    return [event["reason"] for event in json.loads(listed.stdout)["items"]]


def clean_up(cluster: LocalCluster, *accounts: Account) -> None:
    """Delete the accounts' stores and tenants without waiting: the operator cleans up meanwhile."""
    for account in accounts:
        cluster.kubectl("delete", "stores", "--all", "-n", account.namespace, "--wait=false", check=False)
        cluster.kubectl("delete", "tenant", account.tenant, "--wait=false", check=False)


HOLD = "storefleet.io/test-hold"
"""A finalizer of the tests' own: keeps a deleted Store in Deleting after the operator is done."""


def hold(cluster: LocalCluster, namespace: str, name: str) -> None:
    """Add HOLD to the Store's finalizers, next to the operator's (JSON patch, tested against the
    resourceVersion read, retried when the operator wrote in between)."""
    for _ in range(20):
        metadata = store_object(cluster, namespace, name)["metadata"]
        if "finalizers" in metadata:
            add = {"op": "add", "path": "/metadata/finalizers/-", "value": HOLD}
        else:
            add = {"op": "add", "path": "/metadata/finalizers", "value": [HOLD]}
        test = {"op": "test", "path": "/metadata/resourceVersion", "value": metadata["resourceVersion"]}
        patched = cluster.kubectl(
            "patch", "store", name, "-n", namespace, "--type=json", "-p", json.dumps([test, add]), check=False
        )
        if patched.returncode == 0:
            return
        time.sleep(0.2)
    raise AssertionError(f"could not add a finalizer to store {namespace}/{name}")


async def release(cluster: LocalCluster, namespace: str, name: str, within: float = PROVISION_SECONDS) -> None:
    """Once the operator has finished its cleanup (only HOLD left), let the Store go."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while store_object(cluster, namespace, name)["metadata"].get("finalizers") != [HOLD]:
        assert loop.time() < deadline, f"the operator never finished cleaning up {namespace}/{name}"
        await asyncio.sleep(0.5)
    cluster.kubectl("patch", "store", name, "-n", namespace, "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
