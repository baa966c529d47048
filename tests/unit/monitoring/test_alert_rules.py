"""The platform's alert rules (deploy/helm/storefleet/files/alerts.yaml): valid for the pinned promtool,
passing their promtool unit tests (alerts_test.yaml), covering what the issue asks a platform team to be
paged for, each tested firing and quiet, and each telling a person what to do. The cluster tier checks
every metric they query is served by the running processes; here, by the processes' own registries."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import generate_latest
from tests.unit.monitoring.monitoring_files import (
    ALERT_TESTS,
    ALERTS,
    alert_expressions,
    alert_rules,
    exposed_series,
    storefleet_metrics,
)

from storefleet_api.metrics import GatewayMetrics
from storefleet_localcluster.toolchain import REPO_ROOT, promtool, versions
from storefleet_operator.observability import Metrics

pytestmark = pytest.mark.unit

COVERED = {
    "gateway 5xx rate": "StorefleetGatewayErrorRateHigh",
    "provisioning stuck": "StorefleetProvisioningStuck",
    "provisioning slow": "StorefleetProvisioningSlow",
    "queue saturated": "StorefleetProvisioningQueueSaturated",
    "failures by step": "StorefleetStepFailing",
    "orphans collected": "StorefleetOrphansCollected",
    "operator restarts": "StorefleetOperatorRestarting",
}
SEVERITIES = {"critical", "warning", "info"}


def run_promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # promtool is not skipped when missing: promtool() raises with the command that builds it.
    return subprocess.run([str(promtool()), *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def checks_by_alert() -> dict[str, list[list[dict[str, Any]]]]:
    """alertname → the expected alerts of each of its alert_rule_test checks."""
    checks: dict[str, list[list[dict[str, Any]]]] = {}
    for test in yaml.safe_load(ALERT_TESTS.read_text())["tests"]:
        for check in test.get("alert_rule_test", []):
            checks.setdefault(check["alertname"], []).append(check.get("exp_alerts") or [])
    return checks


def test_the_promtool_version_stamped_is_the_module_built() -> None:
    # build.sh stamps PROMETHEUS_VERSION into the binary, so only this keeps it equal to what go.mod builds:
    # Prometheus 3.MM.P is published as the Go module version v0.3MM.P.
    go_mod = (REPO_ROOT / "deploy" / "toolchain" / "prometheus" / "go.mod").read_text()
    module = re.search(r"github\.com/prometheus/prometheus v0\.3(\d\d)\.(\d+)\s", go_mod)
    assert module is not None, "deploy/toolchain/prometheus/go.mod pins no Prometheus 3.x module"
    assert versions()["PROMETHEUS_VERSION"] == f"3.{int(module[1])}.{module[2]}"


def test_promtool_accepts_the_rules() -> None:
    done = run_promtool("check", "rules", ALERTS.name, cwd=ALERTS.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in done.stdout + done.stderr


def test_promtool_unit_tests_of_the_rules_pass() -> None:
    done = run_promtool("test", "rules", ALERT_TESTS.name, cwd=ALERT_TESTS.parent)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("change", "caught_by"),
    [
        pytest.param(("> 0.05", "> 0.5"), "StorefleetGatewayErrorRateHigh", id="5xx-threshold"),
        pytest.param(("> 600", "> 1200"), "StorefleetProvisioningSlow", id="slow-threshold"),
        pytest.param((">= 3", ">= 5"), "StorefleetStepFailing", id="failure-count"),
        pytest.param(("[1h]) >= 3", "[10m]) >= 3"), "StorefleetOperatorRestarting", id="restart-window"),
        pytest.param(('max(storefleet_stores{phase="Provisioning"})', 'sum(storefleet_stores{phase="Provisioning"})'),
                     "StorefleetProvisioningStuck", id="replicas-summed"),
    ],
)
def test_promtool_unit_tests_catch_a_changed_rule(tmp_path: Path, change: tuple[str, str], caught_by: str) -> None:
    # The same tests against a rule changed the wrong way must fail, or they prove nothing.
    original = ALERTS.read_text()
    assert original.count(change[0]) >= 1, change
    (tmp_path / ALERTS.name).write_text(original.replace(*change))
    (tmp_path / ALERT_TESTS.name).write_text(ALERT_TESTS.read_text())
    done = run_promtool("test", "rules", ALERT_TESTS.name, cwd=tmp_path)
    assert done.returncode != 0
    assert f"alertname: {caught_by}," in done.stdout + done.stderr


@pytest.mark.parametrize(("concern", "alert"), COVERED.items(), ids=list(COVERED))
def test_the_rules_page_for(concern: str, alert: str) -> None:
    assert alert in alert_rules(), concern


@pytest.mark.parametrize("alert", sorted(alert_rules()))
def test_every_alert_is_unit_tested_firing_and_quiet(alert: str) -> None:
    checks = checks_by_alert().get(alert, [])
    assert any(checks), f"{alert}: no promtool check where it fires"
    assert not all(checks), f"{alert}: no promtool check where it must stay quiet"


@pytest.mark.parametrize("alert", sorted(alert_rules()))
def test_every_alert_says_how_bad_what_and_what_to_do(alert: str) -> None:
    rule = alert_rules()[alert]
    assert rule["labels"]["severity"] in SEVERITIES
    assert set(rule["annotations"]) == {"summary", "description", "runbook"}
    assert all(text.strip() for text in rule["annotations"].values())


def test_every_queried_metric_is_in_the_processes_registries() -> None:
    # What the operator's start_http_server and the gateway's /metrics render from.
    gateway, _ = GatewayMetrics().render()
    served = exposed_series(generate_latest(Metrics().registry).decode()) | exposed_series(gateway.decode())
    used = storefleet_metrics(alert_expressions())
    missing = {name: sorted(where) for name, where in used.items() if name not in served}
    assert not missing, f"queried but not served: {missing}"
