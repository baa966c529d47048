"""Settings: validated at startup; production refuses the development defaults."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from storefleet_api.config import DEV_METRICS_TOKEN, Settings

pytestmark = pytest.mark.unit

GOOD_TOKEN = "a-random-scrape-token-of-more-than-32-characters"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("STOREFLEET_"):
            monkeypatch.delenv(name)


def test_an_unconfigured_gateway_is_production_and_refuses_the_development_token() -> None:
    with pytest.raises(ValidationError, match="STOREFLEET_METRICS_TOKEN is a known default"):
        Settings()


def test_development_accepts_the_defaults() -> None:
    settings = Settings(environment="development")
    assert settings.metrics_token is not None and settings.metrics_token.get_secret_value() == DEV_METRICS_TOKEN
    assert (settings.platform_namespace, settings.lockout_threshold, settings.body_limit_bytes) == (
        "storefleet-system",
        5,
        262144,
    )
    assert (settings.login_rate_limit, settings.login_rate_window_seconds, settings.lockout_window_seconds) == (
        10,
        900,
        900,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"metrics_token": "changeme"}, "known default", id="known-default-token"),
        pytest.param({"metrics_token": "short-token"}, "shorter than 32", id="short-token"),
        pytest.param({"metrics_token": GOOD_TOKEN, "cors_origins": ["*"]}, "contains '\\*'", id="wildcard-cors"),
    ],
)
def test_production_refuses_unsafe_settings_and_says_which(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(environment="production", **overrides)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"metrics_token": GOOD_TOKEN}, id="strong-scrape-token"),
        pytest.param({"metrics_token": "", "metrics_port": 9090}, id="metrics-on-their-own-port"),
    ],
)
def test_production_starts_with_safe_settings(overrides: dict[str, object]) -> None:
    Settings(environment="production", **overrides)


def test_settings_come_from_storefleet_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOREFLEET_ENVIRONMENT", "production")
    monkeypatch.setenv("STOREFLEET_METRICS_TOKEN", GOOD_TOKEN)
    monkeypatch.setenv("STOREFLEET_CORS_ORIGINS", "https://shop.example.com, http://localhost:5173")
    monkeypatch.setenv("STOREFLEET_TRUSTED_PROXIES", "10.0.0.0/8,fd00::/8")
    monkeypatch.setenv("STOREFLEET_LOCKOUT_THRESHOLD", "3")
    settings = Settings()
    assert settings.cors_origins == ["https://shop.example.com", "http://localhost:5173"]
    assert settings.trusted_proxies == [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8")]
    assert settings.lockout_threshold == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"cors_origins": ["https://shop.example.com/app"]}, "not an origin", id="origin-with-path"),
        pytest.param({"platform_namespace": "Storefleet_System"}, "pattern", id="namespace-not-dns"),
        pytest.param({"lockout_threshold": 0}, "greater than or equal to 1", id="zero-threshold"),
        pytest.param({"body_limit_bytes": 10}, "greater than or equal to 1024", id="tiny-body-limit"),
        pytest.param({"trusted_proxies": ["not-a-network"]}, "trusted_proxies", id="bad-proxy-network"),
    ],
)
def test_nonsense_settings_are_refused_with_the_field_named(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(environment="development", **overrides)


def test_every_setting_documents_why_its_default_is_what_it_is() -> None:
    undocumented = [name for name, field in Settings.model_fields.items() if not field.description]
    assert undocumented == []


def test_the_entry_point_refuses_to_start_with_weak_secrets_in_production() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("STOREFLEET_")}
    env["STOREFLEET_ENVIRONMENT"] = "production"
    env["STOREFLEET_METRICS_TOKEN"] = "tiny-secret-1"
    result = subprocess.run(
        [sys.executable, "-m", "storefleet_api"],
        env=env | {"PYTHONPATH": os.pathsep.join(str(REPO / root) for root in ("api", "operator"))},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "STOREFLEET_METRICS_TOKEN is shorter than 32 characters" in result.stdout
    assert "tiny-secret-1" not in result.stdout + result.stderr  # the reason, never the secret
