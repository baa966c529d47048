"""When the store work queue may work under kopf peering: the rule kopf applies to its peering object,
read the same way (kopf's own pausing is exercised with two real replicas in
tests/chaos/test_chaos_peering.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from storefleet_operator.adapters.kube import KubeError
from storefleet_operator.adapters.peering import PeeringFollower, allows

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def seen(seconds_ago: float, priority: int, lifetime: int = 60) -> dict[str, Any]:
    at = (NOW - timedelta(seconds=seconds_ago)).isoformat()
    return {"priority": priority, "lifetime": lifetime, "lastseen": at}


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        pytest.param({"me": seen(1, 5)}, True, id="alone"),
        pytest.param({"me": seen(1, 5), "other": seen(1, 3)}, True, id="highest-priority"),
        pytest.param({"me": seen(1, 5), "other": seen(1, 9)}, False, id="a-higher-peer"),
        pytest.param({"me": seen(1, 5), "other": seen(1, 5)}, False, id="the-same-priority-pauses-both"),
        pytest.param({"me": seen(1, 5), "other": seen(61, 9)}, True, id="a-higher-peer-past-its-lifetime"),
        pytest.param({"me": seen(1, 5), "other": seen(1, 9, lifetime=0)}, True, id="a-higher-peer-that-exited"),
        pytest.param({"me": seen(1, 5), "other": {"priority": 9}}, False, id="a-peer-without-a-time-is-live"),
        pytest.param({"other": seen(1, 1)}, False, id="not-joined-yet"),
        pytest.param(None, False, id="no-peering-object"),
        pytest.param({"me": seen(1, 5), "other": "garbage", "x": {"priority": "high"}}, True, id="unreadable-peers"),
    ],
)
def test_a_replica_works_only_as_the_single_highest_live_peer(status: Any, allowed: bool) -> None:
    assert allows(status, "me", 5, NOW) is allowed


async def test_the_follower_reports_each_change_once_and_keeps_its_answer_when_it_cannot_read() -> None:
    answers: list[Any] = [{"status": {"me": seen(1, 5)}}, {"status": {"me": seen(1, 5)}}, KubeError("timeout"),
                          {"status": {"me": seen(1, 5), "other": seen(1, 7)}}, None]  # fmt: skip
    changes: list[bool] = []

    async def read() -> Any:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    follower = PeeringFollower(read, "me", 5, changes.append, clock=lambda: NOW)
    for _ in range(5):
        await follower.look()
    assert changes == [True, False], "allowed, then a higher peer came; unreadable and gone change nothing"
