"""deploy/gateway: least privilege, checked rule by rule (the cluster tests run the gateway with it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.unit

GATEWAY = Path(__file__).resolve().parents[3] / "deploy" / "gateway"


def documents() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((GATEWAY / "kustomization.yaml").read_text())
    docs: list[dict[str, Any]] = []
    for resource in kustomization["resources"]:
        docs += [doc for doc in yaml.safe_load_all((GATEWAY / resource).read_text()) if doc]
    return docs


def one(kind: str) -> dict[str, Any]:
    found = [doc for doc in documents() if doc["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def verbs_on(rules: list[dict[str, Any]], resource: str) -> set[str]:
    return {verb for rule in rules if resource in rule["resources"] for verb in rule["verbs"]}


def test_every_manifest_file_is_listed_in_the_kustomization() -> None:
    listed = set(yaml.safe_load((GATEWAY / "kustomization.yaml").read_text())["resources"])
    on_disk = {path.name for path in GATEWAY.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk


def test_the_cluster_role_grants_no_impersonation_no_secrets_and_no_wildcards() -> None:
    rules = one("ClusterRole")["rules"]
    every_verb = {verb for rule in rules for verb in rule["verbs"]}
    every_resource = {resource for rule in rules for resource in rule["resources"]}
    assert "impersonate" not in every_verb
    assert "secrets" not in every_resource
    assert "*" not in every_verb | every_resource
    assert not any("*" in rule.get("apiGroups", []) for rule in rules)


def test_the_cluster_role_is_exactly_what_the_gateway_uses() -> None:
    rules = one("ClusterRole")["rules"]
    assert verbs_on(rules, "tenants") == {"get", "list", "watch", "create"}
    assert verbs_on(rules, "stores") == {"get", "list", "watch"}  # store writes run as the tenant
    assert verbs_on(rules, "events") == {"get", "list", "watch", "create"}  # audit log; never rewrites one
    namespaces = [rule for rule in rules if "namespaces" in rule["resources"]]
    assert namespaces == [
        {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get"], "resourceNames": ["storefleet-system"]}
    ]


def test_secrets_are_reachable_only_in_the_platform_namespace() -> None:
    role = one("Role")
    assert role["metadata"]["namespace"] == "storefleet-system"
    # list/watch feed the user cache; "get" on every Secret of this one namespace was granted already
    assert verbs_on(role["rules"], "secrets") == {"get", "list", "watch", "create", "update", "delete"}


def test_the_deployment_runs_two_hardened_replicas_with_probes() -> None:
    deployment = one("Deployment")
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    assert spec["replicas"] == 2
    assert pod["serviceAccountName"] == "storefleet-gateway"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/api/v1/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/api/v1/health/live"
    env = {item["name"]: item.get("value") for item in container["env"]}
    assert env["STOREFLEET_ENVIRONMENT"] == "production"
    assert env["STOREFLEET_METRICS_PORT"] == "9090"


def test_the_service_selects_the_deployments_pods() -> None:
    selector = one("Service")["spec"]["selector"]
    labels = one("Deployment")["spec"]["template"]["metadata"]["labels"]
    assert selector.items() <= labels.items()
