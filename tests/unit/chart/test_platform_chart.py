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
        pytest.param(
            {"audit": {"database": {"existingSecret": "mine"}, "postgresql": {"enabled": True}}},
            "not both",
            id="audit-two-databases",
        ),
        pytest.param({"audit": {"retentionDays": 0}}, "retentionDays", id="audit-retention-zero"),
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


def audit_env(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per Deployment, its audit environment variables by name."""
    found: dict[str, dict[str, Any]] = {}
    for doc in docs:
        if doc["kind"] == "Deployment":
            env = doc["spec"]["template"]["spec"]["containers"][0]["env"]
            found[doc["metadata"]["name"]] = {e["name"]: e for e in env if "AUDIT" in e["name"]}
    return found


@pytest.mark.parametrize(
    ("values", "secret", "key"),
    [
        pytest.param(
            {"audit": {"database": {"existingSecret": "audit-db", "key": "dsn"}}}, "audit-db", "dsn", id="external"
        ),
        pytest.param({"audit": {"postgresql": {"enabled": True}}}, "storefleet-audit-postgresql", "url", id="bundled"),
    ],
)
def test_both_processes_read_the_audit_url_from_a_secret(
    tmp_path: Path, values: dict[str, Any], secret: str, key: str
) -> None:
    file = tmp_path / "values.yaml"
    file.write_text(yaml.safe_dump(values))
    env = audit_env(render("-f", str(file)))
    ref = {"secretKeyRef": {"name": secret, "key": key}}
    assert env["storefleet-operator"]["STOREFLEET_OPERATOR_AUDIT_DATABASE_URL"]["valueFrom"] == ref
    assert env["storefleet-gateway"]["STOREFLEET_AUDIT_DATABASE_URL"]["valueFrom"] == ref
    assert env["storefleet-gateway"]["STOREFLEET_AUDIT_RETENTION_DAYS"]["value"] == "90"


def test_without_an_audit_database_nothing_changes() -> None:
    docs = render()
    assert audit_env(docs) == {"storefleet-operator": {}, "storefleet-gateway": {}}
    assert not [d for d in docs if "audit" in d["metadata"]["name"]]


def test_the_bundled_audit_database_is_restricted_and_reachable_only_by_the_platform() -> None:
    docs = render("-f", str(CI / "audit-postgresql-values.yaml"))
    by_kind = {d["kind"]: d for d in docs if d["metadata"]["name"] == "storefleet-audit-postgresql"}
    assert set(by_kind) == {"Secret", "Service", "StatefulSet", "NetworkPolicy"}
    pod = by_kind["StatefulSet"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["automountServiceAccountToken"] is False
    assert pod["containers"][0]["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    password = by_kind["Secret"]["stringData"]["password"]
    assert len(password) == 32 and password in by_kind["Secret"]["stringData"]["url"]
    allowed = [p["podSelector"]["matchLabels"] for p in by_kind["NetworkPolicy"]["spec"]["ingress"][0]["from"]]
    names = [selector["app.kubernetes.io/name"] for selector in allowed]
    assert names == ["storefleet-operator", "storefleet-gateway"]
