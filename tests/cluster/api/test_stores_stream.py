"""GET /api/v1/stores/{id}/stream over real HTTP (uvicorn on a loopback port), following stores the
real operator provisions: server-sent events of each change, a heartbeat while quiet, an end on
Ready/Failed/deletion/lifetime, and no watch left behind when the client goes away."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from store_support import (
    PROVISION_SECONDS,
    clean_up,
    create,
    follow,
    gateway_beside_the_operator,
    hold,
    messages,
    release,
    tenant_account,
)
from tests.cluster.operator_support import OperatorProcess

from storefleet_localcluster.cluster import LocalCluster

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(PROVISION_SECONDS + 120)]

QUICK = {"store_stream_heartbeat_seconds": 0.3}


@pytest.fixture
async def http(operator: OperatorProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_beside_the_operator(operator.cluster, **QUICK) as client:
        yield client


def watch_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.startswith("watch-")]


async def test_a_stream_follows_a_store_to_ready_and_then_ends_at_once(
    http: httpx.AsyncClient, cluster: LocalCluster
) -> None:
    owner = await tenant_account(http, cluster, "streamer")
    await create(http, owner, "live-shop", engine="woocommerce")
    async with http.stream("GET", "/api/v1/stores/live-shop/stream", headers=owner.headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-store"
        seen = [message async for message in messages(response) if message[0] != "comment"]
    statuses = [data for event, data in seen if event == "status"]
    assert len(statuses) >= 2 and statuses[0]["phase"] in ("Requested", "Provisioning")  # followed, live
    assert statuses[-1]["phase"] == "Ready" and statuses[-1]["url"]
    assert seen[-1] == ("end", {"reason": "ready"})

    settled = await follow(http, "live-shop", owner.headers)
    assert [event for event, _ in settled] == ["status", "end"]  # nothing left to wait for
    clean_up(cluster, owner)


async def test_a_stream_beats_while_quiet_and_ends_when_the_store_is_gone(
    http: httpx.AsyncClient, cluster: LocalCluster
) -> None:
    owner = await tenant_account(http, cluster, "deleter")
    await create(http, owner, "doomed-shop")
    hold(cluster, owner.namespace, "doomed-shop")  # stays Deleting, quietly, until released
    assert (await http.delete("/api/v1/stores/doomed-shop", headers=owner.headers)).status_code == 202
    seen: list[tuple[str, Any]] = []
    async with http.stream("GET", "/api/v1/stores/doomed-shop/stream", headers=owner.headers) as response:
        releaser: asyncio.Task[None] | None = None
        async for message in messages(response):
            seen.append(message)
            if message == ("comment", "heartbeat") and releaser is None:
                releaser = asyncio.create_task(release(cluster, owner.namespace, "doomed-shop"))
        assert releaser is not None
        await releaser
    events = [event for event, _ in seen if event != "comment"]
    assert events[0] == "status" and seen[0][1]["phase"] == "Deleting"
    assert events[-2:] == ["deleted", "end"] and seen[-1] == ("end", {"reason": "deleted"})
    clean_up(cluster, owner)


async def test_a_client_that_goes_away_leaves_no_watch_behind(http: httpx.AsyncClient, cluster: LocalCluster) -> None:
    owner = await tenant_account(http, cluster, "leaver")
    await create(http, owner, "left-shop")
    hold(cluster, owner.namespace, "left-shop")
    await http.delete("/api/v1/stores/left-shop", headers=owner.headers)
    streams = http.app.state.services.streams  # type: ignore[attr-defined]
    async with http.stream("GET", "/api/v1/stores/left-shop/stream", headers=owner.headers) as response:
        stream = messages(response)
        assert (await anext(stream))[0] == "status"
        while (await anext(stream)) != ("comment", "heartbeat"):
            pass  # following, now quietly
        assert streams.active == 1 and watch_threads()
    # The connection is closed here; the server notices and stops the watch.
    for _ in range(50):
        if streams.active == 0 and not watch_threads():
            break
        await asyncio.sleep(0.1)
    assert streams.active == 0
    assert watch_threads() == []
    await release(cluster, owner.namespace, "left-shop")
    clean_up(cluster, owner)


async def test_a_stream_has_a_bounded_lifetime(operator: OperatorProcess, cluster: LocalCluster) -> None:
    async with gateway_beside_the_operator(cluster, **QUICK, store_stream_max_seconds=2) as http:
        owner = await tenant_account(http, cluster, "brief")
        await create(http, owner, "slow-shop")
        hold(cluster, owner.namespace, "slow-shop")
        await http.delete("/api/v1/stores/slow-shop", headers=owner.headers)  # never settles while held
        loop = asyncio.get_running_loop()
        began = loop.time()
        seen = await follow(http, "slow-shop", owner.headers)
        took = loop.time() - began
        await release(cluster, owner.namespace, "slow-shop")
    assert seen[-1][0] == "end" and seen[-1][1]["reason"] == "timeout"
    assert 1.5 <= took < 6
    clean_up(cluster, owner)
