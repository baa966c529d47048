"""deploy/helm/storefleet, the platform chart: lint, schema, least privilege, and the files generated
from it (chart CRDs from crdgen, the kustomize folders) kept in step with it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from storefleet_localcluster import platformchart
from storefleet_localcluster.toolchain import binary

pytestmark = pytest.mark.unit

CHART = platformchart.CHART
CI = CHART / "ci"


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(binary("helm")), *args], capture_output=True, text=True, timeout=120, check=False)


def render(*args: str) -> list[dict[str, Any]]:
    done = helm("template", "storefleet", str(CHART), "-n", "storefleet-system", *args)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def rules_by_role(docs: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
    return {(d["kind"], d["metadata"]["name"]): d["rules"] for d in docs if d["kind"] in ("Role", "ClusterRole")}


def test_generated_files_match_the_chart() -> None:
    # Chart crds/ equal crdgen's output, and deploy/operator + deploy/gateway equal `helm template`.
    diffs = platformchart.differences()
    assert not diffs, "".join(diffs) + "\nrun: python -m storefleet_localcluster.platformchart --write"


@pytest.mark.parametrize("values", [None, *sorted(CI.glob("*-values.yaml"))], ids=lambda v: v.stem if v else "default")
def test_chart_lints_strictly(values: Path | None) -> None:
    done = helm("lint", "--strict", str(CHART), *(["-f", str(values)] if values else []))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        pytest.param({"gateway": {"replica": 2}}, "additional properties", id="unknown-key"),
        pytest.param({"image": {"pullPolicy": "Sometimes"}}, "pullPolicy", id="bad-pull-policy"),
        pytest.param({"operator": {"logFormat": "xml"}}, "logFormat", id="bad-log-format"),
        pytest.param({"gateway": {"replicas": 1}}, "needs gateway.replicas >= 2", id="pdb-one-replica"),
        pytest.param({"metrics": {"serviceMonitor": {"enabled": True}}}, "Prometheus Operator", id="no-monitor-crd"),
        pytest.param({"metrics": {"prometheusRule": {"enabled": True}}}, "Prometheus Operator", id="no-rule-crd"),
    ],
)
def test_impossible_values_are_refused_with_a_reason(tmp_path: Path, override: dict[str, Any], complaint: str) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(yaml.safe_dump(override))
    done = helm("template", "storefleet", str(CHART), "-f", str(values))
    assert done.returncode != 0
    assert complaint.lower() in done.stderr.lower(), done.stderr


def test_service_monitors_scrape_both_processes_when_prometheus_operator_is_there(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(yaml.safe_dump({"metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "kps"}}}}))
    docs = render("-f", str(values), "--api-versions", "monitoring.coreos.com/v1")
    monitors = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ServiceMonitor"}
    assert set(monitors) == {"storefleet-operator", "storefleet-gateway"}
    services = [d for d in docs if d["kind"] == "Service"]
    for monitor in monitors.values():
        assert monitor["metadata"]["labels"]["release"] == "kps"
        wanted = monitor["spec"]["selector"]["matchLabels"].items()
        selected = [s for s in services if wanted <= s["metadata"]["labels"].items()]
        assert len(selected) == 1 and any(p["name"] == "metrics" for p in selected[0]["spec"]["ports"])


def test_the_prometheus_rule_is_the_alert_rule_file_when_enabled(tmp_path: Path) -> None:
    # files/alerts.yaml is what promtool checks and unit-tests; the PrometheusRule must carry it unchanged.
    values = tmp_path / "values.yaml"
    values.write_text(yaml.safe_dump({"metrics": {"prometheusRule": {"enabled": True, "labels": {"release": "kps"}}}}))
    rules = [d for d in render("-f", str(values), "--api-versions", "monitoring.coreos.com/v1")
             if d["kind"] == "PrometheusRule"]
    assert len(rules) == 1
    assert rules[0]["apiVersion"] == "monitoring.coreos.com/v1"
    assert rules[0]["metadata"]["labels"]["release"] == "kps"
    assert rules[0]["spec"] == yaml.safe_load((CHART / "files" / "alerts.yaml").read_text())
    assert not [d for d in render("--api-versions", "monitoring.coreos.com/v1") if d["kind"] == "PrometheusRule"]


def test_no_values_widen_rbac() -> None:
    # Replicas, resources and settings change; what each account may do never does.
    baseline = rules_by_role(render())
    for values in CI.glob("*-values.yaml"):
        assert rules_by_role(render("-f", str(values))) == baseline, values.name


def test_no_rule_uses_wildcards_or_touches_rbac_escalation() -> None:
    for (kind, name), rules in rules_by_role(render()).items():
        for rule in rules:
            assert "*" not in rule["verbs"] and "*" not in rule["resources"], (kind, name, rule)
            assert not {"escalate", "impersonate"} & set(rule["verbs"]) or name == "storefleet-tenant-impersonator"
            assert "bind" not in rule["verbs"] or rule.get("resourceNames"), (kind, name, rule)


def test_helm_test_pod_meets_restricted_pod_security() -> None:
    done = helm("template", "storefleet", str(CHART), "-n", "storefleet-system", "--show-only",
                "templates/tests/gateway-ready.yaml")
    assert done.returncode == 0, done.stderr
    pod = yaml.safe_load(done.stdout)
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    container = pod["spec"]["containers"][0]
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert container["env"][0]["value"] == "http://storefleet-gateway.storefleet-system.svc:80"
