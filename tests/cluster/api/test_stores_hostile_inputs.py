"""Hostile input in every field of the stores endpoints gets a 4xx with a reason, never a 5xx, and a
refused create leaves nothing behind; what is accepted is stored as typed (data, never a command,
a template or a Helm --set expression). Tenants are set up by the real operator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import yaml
from gateway_support import running_gateway
from store_support import (
    Account,
    admin_account,
    clean_up,
    create,
    gateway_settings,
    own_address,
    set_store_limit,
    stores_in,
    tenant_account,
)
from tests.cluster.operator_support import OperatorProcess

from storefleet_api.config import Settings
from storefleet_localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster

LONG = "x" * 10_000
SHELL = "$(touch /tmp/pwned); `id` | cat && rm -rf / ; echo ${HOME}"
SET_INJECTION = "a,resourceQuota.limitsCpu=64,networkPolicy.enabled=false"
THEIRS = "their-shop"


@dataclass
class Cast:
    """Who is in the room: me (hostile), the other tenant (owner of THEIRS), an admin."""

    cluster: LocalCluster
    settings: Settings
    address: str
    me: Account
    other: Account
    admin: Account


@pytest.fixture(scope="module")
def cast(operator: OperatorProcess) -> Iterator[Cast]:
    cluster = operator.cluster
    settings = gateway_settings(cluster)
    address = own_address()

    async def gather() -> Cast:
        async with running_gateway(settings) as gateway:
            http = gateway.client(address)
            me, other = await tenant_account(http, cluster, "hostile"), await tenant_account(http, cluster, "victim")
            # Accepted stores are deleted at once, but count against the limit until cleaned up.
            await asyncio.to_thread(set_store_limit, cluster, me, 50)
            await create(http, other, THEIRS)
            return Cast(cluster, settings, address, me, other, await admin_account(http, cluster))

    ready = asyncio.run(gather())
    yield ready
    clean_up(cluster, ready.me, ready.other, ready.admin)


@pytest.fixture
async def http(cast: Cast) -> AsyncIterator[httpx.AsyncClient]:
    async with running_gateway(cast.settings) as gateway:
        yield gateway.client(cast.address)


def body(**fields: Any) -> dict[str, Any]:
    return {"name": "fine-shop", "engine": "woocommerce"} | fields


REFUSED_CREATES = [
    pytest.param(body(name=SHELL), id="name-shell"),
    pytest.param(body(name=SET_INJECTION), id="name-commas-and-equals"),
    pytest.param(body(name="'quoted'"), id="name-single-quotes"),
    pytest.param(body(name='"quoted"'), id="name-double-quotes"),
    pytest.param(body(name="café"), id="name-unicode"),
    pytest.param(body(name="店"), id="name-cjk"),
    pytest.param(body(name=LONG), id="name-10kb"),
    pytest.param(body(name="../../etc/passwd"), id="name-path-traversal"),
    pytest.param(body(name="x/status"), id="name-subresource"),
    pytest.param(body(name="kube-system"), id="name-reserved-prefix"),
    pytest.param(body(name="fuck-this"), id="name-profanity"),
    pytest.param(body(name=""), id="name-empty"),
    pytest.param(body(name=None), id="name-null"),
    pytest.param(body(name=123), id="name-number"),
    pytest.param(body(name=["a"]), id="name-list"),
    pytest.param(body(engine="shopify"), id="engine-unknown"),
    pytest.param(body(engine="WooCommerce"), id="engine-case"),
    pytest.param(body(engine=SHELL), id="engine-shell"),
    pytest.param(body(engine=LONG), id="engine-10kb"),
    pytest.param(body(display_name=LONG), id="display-name-10kb"),
    pytest.param(body(display_name="line\nbreak"), id="display-name-newline"),
    pytest.param(body(display_name="evil\u202eshop"), id="display-name-rtl-override"),
    pytest.param(body(display_name="\x00"), id="display-name-nul"),
    pytest.param(body(display_name="   "), id="display-name-blank"),
    pytest.param(body(display_name={"$gt": ""}), id="display-name-object"),
    pytest.param(body(theme=SHELL), id="theme-shell"),
    pytest.param(body(theme="astra", engine="medusa"), id="theme-on-medusa"),
    pytest.param(body(storefront="yes", engine="medusa"), id="storefront-string"),
    pytest.param(body(storefront=True), id="storefront-on-woocommerce"),
    pytest.param(body(password="pw,resourceQuota.limitsCpu=64"), id="extra-password"),
    pytest.param(body(namespace="kube-system"), id="extra-namespace"),
    pytest.param(body(tenant="victim"), id="extra-tenant"),
    pytest.param(body(spec={"engine": "medusa"}), id="extra-spec"),
    pytest.param(body(metadata={"namespace": "kube-system"}), id="extra-metadata"),
]


@pytest.mark.parametrize("request_body", REFUSED_CREATES)
async def test_hostile_creates_are_refused_with_a_reason_and_leave_nothing(
    cast: Cast, http: httpx.AsyncClient, request_body: dict[str, Any]
) -> None:
    before = stores_in(cast.cluster, cast.me.namespace)
    response = await http.post("/api/v1/stores", json=request_body, headers=cast.me.headers)
    assert 400 <= response.status_code < 500, response.text
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    assert len(response.content) < 1000  # a reason, not an echo of the input
    assert stores_in(cast.cluster, cast.me.namespace) == before
    assert stores_in(cast.cluster, cast.other.namespace) == [THEIRS]


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        pytest.param(b"{not json", "application/json", id="broken-json"),
        pytest.param(b'["a", "list"]', "application/json", id="json-list"),
        pytest.param(b"", "application/json", id="empty"),
        pytest.param(b"name=x&engine=medusa", "application/x-www-form-urlencoded", id="form"),
        pytest.param(b'{"name": "' + b"x" * 300_000 + b'"}', "application/json", id="300kb"),
    ],
)
async def test_hostile_bodies_are_refused(
    cast: Cast, http: httpx.AsyncClient, content: bytes, content_type: str
) -> None:
    response = await http.post(
        "/api/v1/stores", content=content, headers=cast.me.headers | {"Content-Type": content_type}
    )
    assert 400 <= response.status_code < 500, response.text


ACCEPTED = [
    pytest.param({"display_name": SHELL[:80]}, {"displayName": SHELL[:80]}, id="display-name-shell"),
    pytest.param({"display_name": SET_INJECTION}, {"displayName": SET_INJECTION}, id="display-name-set-syntax"),
    pytest.param({"display_name": "{{ .Values.x }}"}, {"displayName": "{{ .Values.x }}"}, id="display-name-template"),
    pytest.param({"display_name": "Ünïcødé 店 🛒"}, {"displayName": "Ünïcødé 店 🛒"}, id="display-name-unicode"),
    pytest.param({"display_name": 'O\'Brien "&" Co'}, {"displayName": 'O\'Brien "&" Co'}, id="display-name-quotes"),
]


@pytest.mark.parametrize(("fields", "stored"), ACCEPTED)
async def test_odd_but_harmless_text_is_stored_exactly_as_typed(
    cast: Cast, http: httpx.AsyncClient, fields: dict[str, Any], stored: dict[str, Any], request: Any
) -> None:
    name = "odd-" + request.node.callspec.id.split("-")[-1]
    response = await http.post("/api/v1/stores", json=body(name=name, **fields), headers=cast.me.headers)
    assert response.status_code == 202, response.text
    written = yaml.safe_load(cast.cluster.kubectl("get", "store", name, "-n", cast.me.namespace, "-o", "json").stdout)
    await http.delete(f"/api/v1/stores/{name}", headers=cast.me.headers)  # cancels its provisioning
    assert written["spec"] == {"engine": "woocommerce"} | stored
    assert response.json()["display_name"] == stored["displayName"]


async def test_the_same_name_as_another_tenants_store_is_simply_a_different_store(
    cast: Cast, http: httpx.AsyncClient
) -> None:
    mine = await http.post("/api/v1/stores", json={"name": THEIRS, "engine": "woocommerce"}, headers=cast.me.headers)
    assert mine.status_code == 202, mine.text
    theirs = await http.get(f"/api/v1/stores/{THEIRS}", headers=cast.other.headers)
    await http.delete(f"/api/v1/stores/{THEIRS}", headers=cast.me.headers)
    assert theirs.json()["engine"] == "medusa"  # untouched by my store of the same name
    # Wait until mine is really gone: later tests ask for THEIRS as me and expect a 404, and a
    # store still deleting its namespace answers 200 with phase Deleting.
    for _ in range(240):
        if (await http.get(f"/api/v1/stores/{THEIRS}", headers=cast.me.headers)).status_code == 404:
            break
        await asyncio.sleep(0.5)
    else:
        raise AssertionError(f"my store {THEIRS} was not deleted within 120 s")


HOSTILE_IDS = [
    pytest.param(quote(SHELL, safe=""), id="shell"),
    pytest.param("..%2F..%2Fetc%2Fpasswd", id="encoded-traversal"),
    pytest.param("%2e%2e", id="encoded-dots"),
    pytest.param(LONG, id="10kb"),
    pytest.param(quote("店", safe=""), id="unicode"),
    pytest.param("their-shop%00", id="nul"),
    pytest.param("THEIR-SHOP", id="uppercase"),
    pytest.param(quote("their-shop,x=y", safe=""), id="commas-and-equals"),
    pytest.param(THEIRS, id="another-tenants-id"),
]


@pytest.mark.parametrize("store_id", HOSTILE_IDS)
@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        pytest.param("GET", "", id="get"),
        pytest.param("DELETE", "", id="delete"),
        pytest.param("POST", "/retry", id="retry"),
        pytest.param("GET", "/events", id="events"),
        pytest.param("GET", "/credentials", id="credentials"),
        pytest.param("GET", "/stream", id="stream"),
    ],
)
async def test_hostile_ids_get_a_4xx_on_every_endpoint(
    cast: Cast, http: httpx.AsyncClient, store_id: str, method: str, suffix: str
) -> None:
    response = await http.request(method, f"/api/v1/stores/{store_id}{suffix}", headers=cast.me.headers)
    assert 400 <= response.status_code < 500, response.text
    assert len(response.content) < 1000
    assert stores_in(cast.cluster, cast.other.namespace) == [THEIRS]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("limit=0", id="limit-0"),
        pytest.param("limit=101", id="limit-101"),
        pytest.param("limit=-1", id="limit-negative"),
        pytest.param("limit=abc", id="limit-text"),
        pytest.param("phase=Bogus", id="phase-unknown"),
        pytest.param(f"phase={quote(SHELL)}", id="phase-shell"),
        pytest.param("engine=shopify", id="engine-unknown"),
        pytest.param("continue=garbage", id="continue-garbage"),
        pytest.param(f"continue={LONG}", id="continue-10kb"),
        pytest.param("continue=" + quote("../../../registry/secrets", safe=""), id="continue-traversal"),
        pytest.param(f"tenant={quote(SHELL)}", id="tenant-shell"),
        pytest.param("tenant=victim", id="tenant-other"),
    ],
)
async def test_hostile_list_queries_get_a_4xx(cast: Cast, http: httpx.AsyncClient, query: str) -> None:
    response = await http.get(f"/api/v1/stores?{query}", headers=cast.me.headers)
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("type=" + quote("LoginFailed,reason=UserRegistered"), id="type-selector-injection"),
        pytest.param("type=" + quote(SHELL), id="type-shell"),
        pytest.param("tenant=" + quote("a,storefleet.io/audit=security"), id="tenant-selector-injection"),
        pytest.param("tenant=" + LONG, id="tenant-10kb"),
        pytest.param("since=yesterday", id="since-not-a-time"),
        pytest.param("limit=100000", id="limit-huge"),
        pytest.param("category=everything", id="category-unknown"),
    ],
)
async def test_hostile_audit_queries_get_a_4xx(cast: Cast, http: httpx.AsyncClient, query: str) -> None:
    response = await http.get(f"/api/v1/admin/audit?{query}", headers=cast.admin.headers)
    assert 400 <= response.status_code < 500, response.text


async def test_another_tenants_continue_token_shows_only_my_own_stores(cast: Cast, http: httpx.AsyncClient) -> None:
    await create(http, cast.other, "aaa-other")
    token = (await http.get("/api/v1/stores?limit=1", headers=cast.other.headers)).json()["continue_token"]
    assert token
    mine = await http.get(f"/api/v1/stores?continue={quote(token)}", headers=cast.me.headers)
    await http.delete("/api/v1/stores/aaa-other", headers=cast.other.headers)
    assert mine.status_code < 500, mine.text
    if mine.status_code == 200:
        assert all(item["tenant"] == cast.me.tenant for item in mine.json()["items"])
