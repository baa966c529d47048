"""Lockout and login rate limits hold across gateway replicas (two `create_app()` objects sharing
nothing but the cluster), and they end when they should."""

from __future__ import annotations

import asyncio

import pytest
from gateway_support import Platform, login, register, running_gateway, unique_email

from storefleet_api.services.identity import user_id_for

pytestmark = pytest.mark.cluster

PASSWORD = "correct horse battery"


async def test_five_failures_across_two_replicas_lock_the_account_even_for_the_right_password(
    platform: Platform,
) -> None:
    email = unique_email("locked")
    settings = platform.settings()
    async with running_gateway(settings) as one, running_gateway(settings) as two:
        replicas = [one.client("198.51.100.21"), two.client("198.51.100.22")]
        await register(replicas[0], email, PASSWORD)
        failures = [await login(replicas[i % 2], email, f"wrong guess {i}") for i in range(5)]
        right_password_on_the_other_replica = await login(replicas[1], email, PASSWORD)
    assert [response.status_code for response in failures] == [401, 401, 401, 401, 423]
    locked = failures[-1]
    assert 1 <= int(locked.headers["Retry-After"]) <= 900
    assert "locked" in locked.json()["detail"]
    assert right_password_on_the_other_replica.status_code == 423
    assert int(right_password_on_the_other_replica.headers["Retry-After"]) <= 900
    reasons = [event["reason"] for event in platform.events_about(user_id_for(email))]
    assert reasons.count("LoginFailed") == 4 and reasons.count("AccountLocked") == 1


async def test_concurrent_failures_on_two_replicas_are_all_counted(platform: Platform) -> None:
    email = unique_email("burst")
    settings = platform.settings()
    async with running_gateway(settings) as one, running_gateway(settings) as two:
        replicas = [one.client("198.51.100.31"), two.client("198.51.100.32")]
        await register(replicas[0], email, PASSWORD)
        burst = await asyncio.gather(*(login(replicas[i % 2], email, f"guess {i}") for i in range(5)))
        after = await login(replicas[0], email, PASSWORD)
    # Optimistic concurrency on the counter: no failure is lost, so the fifth one locks.
    assert sorted(response.status_code for response in burst) == [401, 401, 401, 401, 423]
    assert after.status_code == 423


async def test_the_lock_lifts_after_its_duration_and_a_good_login_clears_the_count(platform: Platform) -> None:
    email = unique_email("patient")
    async with running_gateway(platform.settings(lockout_duration_seconds=2, lockout_threshold=2)) as gateway:
        http = gateway.client()
        await register(http, email, PASSWORD)
        await login(http, email, "wrong 1")
        locked = await login(http, email, "wrong 2")
        await asyncio.sleep(2.5)
        unlocked = await login(http, email, PASSWORD)
        one_more_failure = await login(http, email, "wrong 3")
    assert locked.status_code == 423
    assert unlocked.status_code == 200
    assert one_more_failure.status_code == 401  # the count started again from zero


async def test_login_rate_limit_is_per_client_address_and_shared_by_replicas(platform: Platform) -> None:
    settings = platform.settings()
    attacker, bystander = "203.0.113.66", "203.0.113.77"
    async with running_gateway(settings) as one, running_gateway(settings) as two:
        replicas = [one.client(attacker), two.client(attacker)]
        # Different (unknown) emails each time, so this is the address limit, not an account lock.
        attempts = [await login(replicas[i % 2], unique_email("spray"), "password1") for i in range(11)]
        from_elsewhere = await login(two.client(bystander), unique_email("spray"), "password1")
    assert [response.status_code for response in attempts] == [401] * 10 + [429]
    limited = attempts[-1]
    assert 800 <= int(limited.headers["Retry-After"]) <= 900
    assert "too many login attempts" in limited.json()["detail"]
    assert from_elsewhere.status_code == 401


async def test_registration_is_rate_limited_per_address(platform: Platform) -> None:
    async with running_gateway(platform.settings(register_rate_limit=2)) as gateway:
        http = gateway.client("203.0.113.88")
        results = [await register(http, unique_email("signup")) for _ in range(3)]
        elsewhere = await register(gateway.client("203.0.113.89"), unique_email("signup"))
    assert [response.status_code for response in results] == [201, 201, 429]
    assert int(results[-1].headers["Retry-After"]) > 0
    assert elsewhere.status_code == 201


async def test_counters_are_configmaps_an_operator_can_delete_to_unlock(platform: Platform) -> None:
    email = unique_email("rescued")
    async with running_gateway(platform.settings(lockout_threshold=1)) as gateway:
        http = gateway.client()
        await register(http, email, PASSWORD)
        assert (await login(http, email, "wrong")).status_code == 423
        counters = platform.kubectl_json(
            "get", "configmaps", "-n", platform.namespace, "-l", "storefleet.io/counter=login-failures"
        )["items"]
        assert len(counters) == 1 and email not in str(counters)  # hashed key: no email in the name or data
        platform.cluster.kubectl("delete", "configmap", counters[0]["metadata"]["name"], "-n", platform.namespace)
        assert (await login(http, email, PASSWORD)).status_code == 200
