"""How the operator process connects: each replica joins kopf peering with its own priority (kopf pauses
every operator that sees another of the same priority, so two replicas of the chart's Deployment with
the default handled nothing; the chaos tier runs two replicas for real, tests/chaos/test_chaos_peering.py),
and the API client refreshes its token on an interval rather than before every request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config

from storefleet_operator.main import (
    PEERING_PRIORITY_RANGE,
    ThrottledTokenRefresh,
    peering_identity,
    peering_priority,
    throttle_token_refresh,
)
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


def test_each_start_joins_the_peering_as_a_new_peer_named_after_its_pod(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POD_ID", "storefleet-operator-7d9f-abcde")
    first, second = peering_identity(), peering_identity()
    assert first != second, "a restarted process must not inherit its predecessor's entry"
    assert first.startswith("storefleet-operator-7d9f-abcde/")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_loaders_token_refresh_runs_once_per_interval_not_before_every_request(tmp_path: Path) -> None:
    """The real kubeconfig loader's hook, which re-applies the configuration (and re-reads the proxy
    environment) each time it runs and installs itself again."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443"}}],
                "users": [{"name": "u", "user": {"token": "not-a-real-token"}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        )
    )
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(kubeconfig), client_configuration=configuration)
    clock = Clock()
    throttle_token_refresh(configuration, every=10.0, clock=clock)
    throttled = configuration.refresh_api_key_hook
    assert isinstance(throttled, ThrottledTokenRefresh)
    host_sets = 0
    original_setattr = client.Configuration.__setattr__

    def counting_setattr(self: client.Configuration, name: str, value: Any) -> None:
        nonlocal host_sets
        host_sets += name == "host"
        original_setattr(self, name, value)

    client.Configuration.__setattr__ = counting_setattr  # type: ignore[method-assign]
    try:
        configuration.get_api_key_with_prefix("BearerToken")
        per_refresh = host_sets
        assert per_refresh >= 1, "the loader's hook ran once"
        for _ in range(49):  # what the client does before each of 49 more requests
            configuration.get_api_key_with_prefix("BearerToken")
        assert host_sets == per_refresh, "no other refresh in the first 10 s"
        clock.now = 10.5
        configuration.get_api_key_with_prefix("BearerToken")
        assert host_sets == 2 * per_refresh
    finally:
        client.Configuration.__setattr__ = original_setattr  # type: ignore[method-assign]
    assert configuration.refresh_api_key_hook is throttled, "the loader's hook never replaces the throttle"
    assert configuration.get_api_key_with_prefix("BearerToken") == "Bearer not-a-real-token"


def test_a_refreshed_token_reaches_the_shared_configuration() -> None:
    """The loader's hook runs on a spare configuration; the token it finds is what requests then carry."""
    tokens = iter(["first", "second"])

    def loader_hook(spare: client.Configuration) -> None:
        spare.api_key["BearerToken"] = f"Bearer {next(tokens)}"
        spare.refresh_api_key_hook = loader_hook  # as the loaders do  # type: ignore[assignment]

    configuration = client.Configuration()
    clock = Clock()
    configuration.refresh_api_key_hook = loader_hook  # type: ignore[assignment]
    throttle_token_refresh(configuration, every=10.0, clock=clock)
    assert configuration.get_api_key_with_prefix("BearerToken") == "Bearer first"
    assert configuration.get_api_key_with_prefix("BearerToken") == "Bearer first"
    clock.now = 11.0
    assert configuration.get_api_key_with_prefix("BearerToken") == "Bearer second"
