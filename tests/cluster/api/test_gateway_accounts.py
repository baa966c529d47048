"""Accounts against a real API server, with the gateway acting as its own ServiceAccount: users are
Secrets, every user gets a Tenant, the first user becomes admin exactly once, tokens follow passwords."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest
from gateway_support import Platform, bearer, login, new_platform, register, running_gateway, unique_email

from storefleet_api.services.identity import user_id_for
from storefleet_localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster

PASSWORD = "correct horse battery"


def decoded(secret: dict[str, Any]) -> dict[str, str]:
    return {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}


async def test_the_first_user_becomes_admin_and_every_user_gets_a_secret_and_a_tenant(platform: Platform) -> None:
    alice, bob = unique_email("alice"), unique_email("bob")
    async with running_gateway(platform.settings()) as gateway:
        http = gateway.client()
        first = await register(http, alice, PASSWORD, display_name="Alice's Shops")
        second = await register(http, bob, PASSWORD)
    assert first.status_code == 201, first.text
    assert second.status_code == 201, second.text
    assert first.json()["user"]["role"] == "admin"
    assert second.json()["user"]["role"] == "tenant"

    secret = platform.secret(user_id_for(alice))
    assert secret is not None
    assert secret["metadata"]["labels"]["storefleet.io/user"] == "true"
    assert secret["type"] == "storefleet.io/user"
    data = decoded(secret)
    assert data["email"] == alice and data["role"] == "admin"
    assert data["password-hash"].startswith("scrypt$") and PASSWORD not in data["password-hash"]

    tenant = platform.tenant(first.json()["user"]["tenant"])
    assert tenant["spec"] == {
        "owners": [{"kind": "User", "name": alice}],
        "displayName": "Alice's Shops",
        "storeLimit": 5,
        "email": alice,
    }
    assert len(tenant["metadata"]["name"]) <= 30
    assert platform.tenant(second.json()["user"]["tenant"])["spec"]["displayName"] == bob

    reasons = {event["reason"] for event in platform.events_about(user_id_for(alice))}
    assert {"UserRegistered", "FirstAdminClaimed"} <= reasons
    assert all(PASSWORD not in event["message"] for event in platform.events_about(user_id_for(alice)))


async def test_ten_concurrent_registrations_make_exactly_one_admin(platform: Platform) -> None:
    emails = [unique_email(f"racer{i}") for i in range(10)]
    async with running_gateway(platform.settings(register_rate_limit=100)) as gateway:
        http = gateway.client()
        responses = await asyncio.gather(*(register(http, email) for email in emails))
    assert [response.status_code for response in responses] == [201] * 10, [r.text for r in responses]
    admins = [response.json()["user"]["email"] for response in responses if response.json()["user"]["role"] == "admin"]
    assert len(admins) == 1
    claim = platform.secret("storefleet-first-admin")
    assert claim is not None and decoded(claim)["user"] == user_id_for(admins[0])


async def test_two_replicas_racing_for_the_first_admin_still_make_one(platform: Platform) -> None:
    settings = platform.settings(register_rate_limit=100)
    async with running_gateway(settings) as one, running_gateway(settings) as two:
        clients = [one.client(), two.client()]
        responses = await asyncio.gather(*(register(clients[i % 2], unique_email(f"r{i}")) for i in range(6)))
    roles = sorted(response.json()["user"]["role"] for response in responses)
    assert roles == ["admin"] + ["tenant"] * 5


@pytest.mark.parametrize(
    "again",
    [
        pytest.param(lambda email: email, id="same"),
        pytest.param(lambda email: email.upper(), id="upper-case"),
        pytest.param(lambda email: f"  {email} ", id="surrounding-spaces"),
    ],
)
async def test_an_email_registers_once(platform: Platform, again: Any) -> None:
    email = unique_email("dup")
    async with running_gateway(platform.settings()) as gateway:
        http = gateway.client()
        assert (await register(http, email)).status_code == 201
        duplicate = await register(http, again(email), "another password")
    assert duplicate.status_code == 409
    assert "exists already" in duplicate.json()["detail"]


async def test_login_me_and_password_change(platform: Platform) -> None:
    email = unique_email("carol")
    async with running_gateway(platform.settings()) as gateway:
        http = gateway.client()
        registered = await register(http, email, PASSWORD)
        logged_in = await login(http, f" {email.upper()}", PASSWORD)
        old_token = logged_in.json()["access_token"]
        me = await http.get("/api/v1/auth/me", headers=bearer(old_token))

        wrong_current = await http.patch(
            "/api/v1/auth/password",
            json={"current_password": "not it at all", "new_password": "a brand new password"},
            headers=bearer(old_token),
        )
        changed = await http.patch(
            "/api/v1/auth/password",
            json={"current_password": PASSWORD, "new_password": "a brand new password"},
            headers=bearer(old_token),
        )
        old_token_after = await http.get("/api/v1/auth/me", headers=bearer(old_token))
        new_token_after = await http.get("/api/v1/auth/me", headers=bearer(changed.json()["access_token"]))
        old_password = await login(http, email, PASSWORD)
        new_password = await login(http, email, "a brand new password")

    assert registered.status_code == 201 and logged_in.status_code == 200
    assert me.status_code == 200
    assert me.json() | {"created_at": None} == {
        "id": user_id_for(email),
        "email": email,
        "role": registered.json()["user"]["role"],
        "tenant": registered.json()["user"]["tenant"],
        "created_at": None,
    }
    assert wrong_current.status_code == 403 and wrong_current.json()["detail"] == "the current password is wrong"
    assert changed.status_code == 200
    assert old_token_after.status_code == 401 and "password was changed" in old_token_after.json()["detail"]
    assert new_token_after.status_code == 200
    assert old_password.status_code == 401
    assert new_password.status_code == 200
    assert "PasswordChanged" in {event["reason"] for event in platform.events_about(user_id_for(email))}


async def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(platform: Platform) -> None:
    email = unique_email("dave")
    async with running_gateway(platform.settings()) as gateway:
        http = gateway.client()
        await register(http, email, PASSWORD)
        wrong = await login(http, email, "not the password")
        unknown = await login(http, unique_email("nobody"), "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "the email or the password is wrong"}


async def test_a_token_stops_working_when_its_user_is_deleted(platform: Platform) -> None:
    email = unique_email("erin")
    async with running_gateway(platform.settings()) as gateway:
        http = gateway.client()
        token = (await register(http, email)).json()["access_token"]
        platform.cluster.kubectl("delete", "secret", user_id_for(email), "-n", platform.namespace)
        response = await http.get("/api/v1/auth/me", headers=bearer(token))
    assert response.status_code == 401 and "no longer exists" in response.json()["detail"]


async def test_admins_list_tenants_and_tenants_are_refused(platform: Platform) -> None:
    admin_email, tenant_email = unique_email("admin"), unique_email("tenant")
    async with running_gateway(platform.settings()) as gateway:
        http = gateway.client()
        admin = (await register(http, admin_email)).json()
        tenant = (await register(http, tenant_email)).json()
        listed = await http.get("/api/v1/admin/tenants?limit=100", headers=bearer(admin["access_token"]))
        refused = await http.get("/api/v1/admin/tenants", headers=bearer(tenant["access_token"]))
    assert listed.status_code == 200, listed.text
    by_name = {item["name"]: item for item in listed.json()["items"]}
    mine = by_name[tenant["user"]["tenant"]]
    assert mine["email"] == tenant_email and mine["owners"] == [tenant_email]
    assert mine["namespace"] == f"tenant-{tenant['user']['tenant']}" and mine["store_limit"] == 5
    assert admin["user"]["tenant"] in by_name
    assert refused.status_code == 403 and refused.json()["detail"] == "this needs the admin role"
    assert "AccessForbidden" in {event["reason"] for event in platform.events_about(user_id_for(tenant_email))}


async def test_a_registration_that_cannot_finish_leaves_nothing_behind(cluster: LocalCluster, tenant_crd: None) -> None:
    def without_tenant_create(docs: list[dict[str, Any]]) -> None:
        for doc in docs:
            if doc["kind"] == "ClusterRole":
                for rule in doc["rules"]:
                    if "tenants" in rule["resources"]:
                        rule["verbs"] = [verb for verb in rule["verbs"] if verb != "create"]

    crippled = new_platform(cluster, edit=without_tenant_create)
    try:
        email = unique_email("frank")
        async with running_gateway(crippled.settings()) as gateway:
            http = gateway.client()
            failed = await register(http, email)
            assert failed.status_code == 500
            assert "RBAC" in failed.json()["detail"]
        assert crippled.secret(user_id_for(email)) is None
        assert crippled.secret("storefleet-first-admin") is None  # the admin claim went back too
    finally:
        crippled.delete()
