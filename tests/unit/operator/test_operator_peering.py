"""Each operator replica joins kopf peering with its own priority: kopf pauses every operator that sees
another of the same priority, so two replicas of the chart's Deployment with the default handled
nothing. The chaos tier runs two replicas for real (tests/chaos/test_chaos_peering.py)."""

from __future__ import annotations

import pytest

from storefleet_operator.main import PEERING_PRIORITY_RANGE, peering_priority
from storefleet_operator.settings import OperatorSettings

pytestmark = pytest.mark.unit


def test_replicas_started_with_the_same_settings_draw_different_priorities() -> None:
    settings = OperatorSettings()
    drawn = {peering_priority(settings) for _ in range(20)}
    assert len(drawn) == 20
    assert all(1 <= p <= PEERING_PRIORITY_RANGE for p in drawn)


def test_a_configured_priority_is_used_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOREFLEET_OPERATOR_PEERING_PRIORITY", "7")
    assert peering_priority(OperatorSettings()) == 7
