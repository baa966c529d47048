"""Hostile input in every field gets a 4xx with a reason, never a 5xx; what is accepted is stored as
typed (text is data, never a command or a template)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from gateway_support import PASSWORD, Platform, bearer, login, new_platform, register, running_gateway, unique_email

from storefleet_localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster

LONG = "x" * 10_000
LONG_EMAIL = "a" * 64 + "@" + "b" * 40 + ".example.com"  # valid, but longer than a display name may be
SHELL = "$(touch /tmp/pwned); `id` | cat && rm -rf / ; echo ${HOME}"
Body = Callable[[str], dict[str, Any]]


ADMIN_EMAIL = "hostile-admin@example.com"
NO_LIMITS = {"register_rate_limit": 1000, "login_rate_limit": 1000}  # limits have their own tests


@pytest.fixture(scope="module")
def shared_platform(cluster: LocalCluster, tenant_crd: None) -> Iterator[Platform]:
    # One platform for the whole table (every case uses a fresh email); its first user is the admin.
    platform = new_platform(cluster)

    async def first_admin() -> None:
        async with running_gateway(platform.settings()) as gateway:
            registered = await register(gateway.client(), ADMIN_EMAIL, PASSWORD)
            assert registered.json()["user"]["role"] == "admin", registered.text

    asyncio.run(first_admin())
    yield platform
    platform.delete()


def body(**fields: Any) -> Body:
    def make(email: str) -> dict[str, Any]:
        return {"email": email, "password": "a fine password"} | fields

    return make


REFUSED_REGISTRATIONS = [
    pytest.param(body(email="ålice@exämple.com"), id="email-unicode"),
    pytest.param(body(email=LONG + "@example.com"), id="email-10kb"),
    pytest.param(body(email=f"{SHELL}@example.com"), id="email-shell"),
    pytest.param(body(email="a@example.com\r\nX-Injected: yes"), id="email-header-injection"),
    pytest.param(body(email="a@example.com\x00"), id="email-nul"),
    pytest.param(body(email="' OR '1'='1@example.com"), id="email-sql"),
    pytest.param(body(email={"$gt": ""}), id="email-object"),
    pytest.param(body(email=None), id="email-null"),
    pytest.param(body(password=LONG), id="password-10kb"),
    pytest.param(body(password="short"), id="password-too-short"),
    pytest.param(body(password=["a fine password"]), id="password-list"),
    pytest.param(body(display_name=LONG), id="display-name-10kb"),
    pytest.param(body(display_name="evil\u202eshop"), id="display-name-rtl-override"),
    pytest.param(body(display_name="line\nbreak"), id="display-name-newline"),
    pytest.param(body(display_name="   "), id="display-name-blank"),
    pytest.param(body(role="admin"), id="extra-field-role"),
    pytest.param(body(tenant="kube-system"), id="extra-field-tenant"),
]


@pytest.mark.parametrize("make", REFUSED_REGISTRATIONS)
async def test_hostile_registrations_are_refused_with_a_reason(shared_platform: Platform, make: Body) -> None:
    async with running_gateway(shared_platform.settings(**NO_LIMITS)) as gateway:
        response = await gateway.client().post("/api/v1/auth/register", json=make(unique_email("hostile")))
    assert 400 <= response.status_code < 500, response.text
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    assert len(response.content) < 1000  # the reason, not an echo of the input


ACCEPTED_REGISTRATIONS = [
    pytest.param(body(password=SHELL), None, id="password-shell"),
    pytest.param(body(password="pässwörd 🔑 \u0000 \u202e"), None, id="password-unicode-nul-rtl"),
    pytest.param(body(password="p" * 128), None, id="password-128-chars"),
    pytest.param(body(display_name=SHELL[:80]), SHELL[:80], id="display-name-shell"),
    pytest.param(body(display_name="{{ .Values.secret }}"), "{{ .Values.secret }}", id="display-name-template"),
    pytest.param(
        body(display_name="a,resourceQuota.limitsCpu=64"), "a,resourceQuota.limitsCpu=64", id="display-name-set"
    ),
    pytest.param(body(display_name="<script>alert(1)</script>"), "<script>alert(1)</script>", id="display-name-html"),
    pytest.param(body(display_name="Ünïcødé 店 🛒"), "Ünïcødé 店 🛒", id="display-name-unicode"),
    pytest.param(body(email=LONG_EMAIL), LONG_EMAIL[:79] + "…", id="email-longer-than-a-display-name"),
]


@pytest.mark.parametrize(("make", "shown_as"), ACCEPTED_REGISTRATIONS)
async def test_odd_but_harmless_input_is_accepted_and_stored_as_typed(
    shared_platform: Platform, make: Body, shown_as: str | None
) -> None:
    request = make(unique_email("odd"))
    email = request["email"]
    async with running_gateway(shared_platform.settings(**NO_LIMITS)) as gateway:
        http = gateway.client()
        registered = await http.post("/api/v1/auth/register", json=request)
        login = await http.post("/api/v1/auth/login", json={"email": email, "password": request["password"]})
    assert registered.status_code == 201, registered.text
    assert login.status_code == 200  # the password works exactly as typed
    tenant = shared_platform.tenant(registered.json()["user"]["tenant"])
    assert tenant["spec"]["displayName"] == (shown_as or email)


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        pytest.param("/api/v1/admin/tenants?limit=-1", {}, id="negative-limit"),
        pytest.param("/api/v1/admin/tenants?limit=abc", {}, id="non-numeric-limit"),
        pytest.param("/api/v1/admin/tenants?limit=100000", {}, id="huge-limit"),
        pytest.param(f"/api/v1/admin/tenants?continue_token={LONG}", {}, id="10kb-continue-token"),
        pytest.param("/api/v1/admin/tenants?continue_token=garbage", {}, id="garbage-continue-token"),
        pytest.param("/api/v1/auth/me", {"Authorization": "Bearer " + LONG}, id="10kb-token"),
        pytest.param("/api/v1/auth/me", {"Authorization": "Bearer ../../etc/passwd"}, id="path-as-token"),
        pytest.param("/api/v1/auth/../../etc/passwd", {}, id="path-traversal"),
    ],
)
async def test_hostile_queries_and_headers_get_a_4xx(
    shared_platform: Platform, path: str, headers: dict[str, str]
) -> None:
    async with running_gateway(shared_platform.settings(**NO_LIMITS)) as gateway:
        http = gateway.client()
        token = (await login(http, ADMIN_EMAIL, PASSWORD)).json()["access_token"]
        response = await http.get(path, headers={**bearer(token), **headers})
        control = await http.get("/api/v1/admin/tenants?limit=1", headers=bearer(token))
    assert 400 <= response.status_code < 500, response.text
    assert control.status_code == 200  # the same admin, asking sensibly, is answered


async def test_a_hostile_request_id_is_replaced_not_reflected(shared_platform: Platform) -> None:
    async with running_gateway(shared_platform.settings(**NO_LIMITS)) as gateway:
        response = await gateway.client().get("/api/v1/health/live", headers={"X-Request-ID": SHELL})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] != SHELL and response.headers["X-Request-ID"].isalnum()
