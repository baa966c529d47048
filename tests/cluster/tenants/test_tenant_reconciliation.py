"""Tenant reconciliation by the real operator (running under its own ServiceAccount) on the local
control plane: namespace, store quota, RBAC isolation, impersonation, status, and the deletion rule."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
import yaml
from tests.cluster.operator_support import OperatorProcess
from tests.support import wait_for

from storefleet_localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster




def tenant_manifest(name: str, owner: str, limit: int) -> dict[str, object]:
    return {
        "apiVersion": "storefleet.io/v1alpha1", "kind": "Tenant", "metadata": {"name": name},
        "spec": {"owners": [{"kind": "User", "name": owner}], "displayName": f"Tenant {name}", "storeLimit": limit},
    }


def store_manifest(name: str, namespace: str) -> dict[str, object]:
    return {
        "apiVersion": "storefleet.io/v1alpha1", "kind": "Store",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"engine": "medusa", "displayName": f"Shop {name}", "medusa": {"storefront": {"enabled": False}}},
    }


def get_json(cluster: LocalCluster, *args: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(cluster.kubectl("get", *args, "-o", "json").stdout)
    return loaded


@pytest.fixture
def tenant(operator: OperatorProcess) -> Iterator[str]:
    cluster = operator.cluster
    name = f"t{uuid.uuid4().hex[:8]}"
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump(tenant_manifest(name, f"{name}@example.com", 2)))
    cluster.kubectl("wait", f"tenant/{name}", "--for=condition=Ready", "--timeout=60s")
    yield name
    cluster.kubectl("delete", "stores", "--all", "-n", f"tenant-{name}", "--wait=false", check=False)
    cluster.kubectl("delete", "tenant", name, "--wait=false", check=False)


def test_tenant_gets_namespace_quota_rbac_and_status(operator: OperatorProcess, tenant: str) -> None:
    cluster = operator.cluster
    namespace = f"tenant-{tenant}"
    ns = get_json(cluster, "namespace", namespace)
    labels = ns["metadata"]["labels"]  # type: ignore[index]
    assert labels["storefleet.io/tenant"] == tenant
    assert labels["app.kubernetes.io/managed-by"] == "storefleet"
    quota = get_json(cluster, "resourcequota", "storefleet-stores", "-n", namespace)
    assert quota["spec"] == {"hard": {"count/stores.storefleet.io": "2"}}
    status = get_json(cluster, "tenant", tenant)["status"]
    assert status["namespace"] == namespace  # type: ignore[index]
    assert status["storeLimit"] == 2  # type: ignore[index]
    assert {c["type"]: c["status"] for c in status["conditions"]} == {  # type: ignore[index]
        "NamespaceReady": "True", "Ready": "True",
    }
    events = cluster.kubectl("get", "events", "-A", "--field-selector",
                             f"involvedObject.kind=Tenant,involvedObject.name={tenant}", "-o", "json").stdout
    assert "TenantReady" in events


def test_owner_and_tenant_account_manage_stores_only_in_their_namespace(operator: OperatorProcess,
                                                                        tenant: str) -> None:
    cluster = operator.cluster
    namespace = f"tenant-{tenant}"
    owner = cluster.user_kubeconfig(f"{tenant}@example.com")
    stranger = cluster.user_kubeconfig("mallory@example.com")
    allowed = cluster.kubectl("auth", "can-i", "create", "stores.storefleet.io", "-n", namespace, kubeconfig=owner,
                              check=False)
    assert allowed.stdout.strip() == "yes"
    elsewhere = cluster.kubectl("auth", "can-i", "create", "stores.storefleet.io", "-n", "default",
                                kubeconfig=owner, check=False)
    assert elsewhere.stdout.strip() == "no"
    denied = cluster.kubectl("get", "stores", "-n", namespace, kubeconfig=stranger, check=False)
    assert denied.returncode != 0 and "Forbidden" in denied.stderr
    # The tenant's ServiceAccount cannot touch secrets, pods, or the namespace itself.
    sa = cluster.service_account_kubeconfig(namespace, "storefleet-tenant")
    for verb, resource in (("get", "secrets"), ("create", "pods"), ("delete", "namespaces")):
        answer = cluster.kubectl("auth", "can-i", verb, resource, "-n", namespace, kubeconfig=sa, check=False)
        assert answer.stdout.strip() == "no", (verb, resource)


def test_gateway_may_impersonate_only_this_tenants_account(operator: OperatorProcess, tenant: str) -> None:
    cluster = operator.cluster
    namespace = f"tenant-{tenant}"
    cluster.kubectl("create", "serviceaccount", "storefleet-gateway", "-n", "storefleet-system", check=False)
    gateway = cluster.service_account_kubeconfig("storefleet-system", "storefleet-gateway")
    as_tenant = cluster.kubectl("get", "stores", "-n", namespace,
                                f"--as=system:serviceaccount:{namespace}:storefleet-tenant", kubeconfig=gateway,
                                check=False)
    assert as_tenant.returncode == 0, as_tenant.stderr
    as_operator = cluster.kubectl("get", "stores", "-A",
                                  "--as=system:serviceaccount:storefleet-system:storefleet-operator",
                                  kubeconfig=gateway, check=False)
    assert as_operator.returncode != 0 and "cannot impersonate" in as_operator.stderr
    as_default = cluster.kubectl("get", "stores", "-n", namespace, f"--as=system:serviceaccount:{namespace}:default",
                                 kubeconfig=gateway, check=False)
    assert as_default.returncode != 0 and "cannot impersonate" in as_default.stderr


def test_store_quota_refuses_the_store_over_the_cap(operator: OperatorProcess, tenant: str) -> None:
    cluster = operator.cluster
    namespace = f"tenant-{tenant}"

    def quota_tracks_stores() -> bool:
        used = cluster.kubectl("get", "resourcequota", "storefleet-stores", "-n", namespace, "-o",
                               "jsonpath={.status.used}", check=False).stdout
        return "count/stores.storefleet.io" in used

    wait_for(quota_tracks_stores, "the quota controller to count stores")
    owner = cluster.user_kubeconfig(f"{tenant}@example.com")
    results = [
        cluster.kubectl("apply", "-f", "-", kubeconfig=owner, check=False,
                        input=yaml.safe_dump(store_manifest(f"shop{i}", namespace)))
        for i in range(3)
    ]
    assert [r.returncode for r in results[:2]] == [0, 0], [r.stderr for r in results]
    assert results[2].returncode != 0
    assert "exceeded quota: storefleet-stores" in results[2].stderr
    assert "limited: count/stores.storefleet.io=2" in results[2].stderr


def test_tenant_with_stores_is_not_deleted_until_they_are_gone(operator: OperatorProcess) -> None:
    cluster = operator.cluster
    name = f"t{uuid.uuid4().hex[:8]}"
    namespace = f"tenant-{name}"
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump(tenant_manifest(name, "del@example.com", 1)))
    cluster.kubectl("wait", f"tenant/{name}", "--for=condition=Ready", "--timeout=60s")
    # Deletion is blocked by the Store's mere existence, whatever phase it is in.
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump(store_manifest("keepme", namespace)))
    cluster.kubectl("delete", "tenant", name, "--wait=false")

    def blocked() -> bool:
        tenant = get_json(cluster, "tenant", name)
        conditions = tenant.get("status", {}).get("conditions", [])  # type: ignore[union-attr]
        return any(c["reason"] == "DeletionBlocked" and "keepme" in c["message"] for c in conditions)

    wait_for(blocked, "the tenant to report DeletionBlocked naming its store")
    assert cluster.kubectl("get", "namespace", namespace, check=False).returncode == 0
    cluster.kubectl("delete", "store", "keepme", "-n", namespace, "--timeout=120s")

    def gone() -> bool:
        return (cluster.kubectl("get", "tenant", name, check=False).returncode != 0
                and cluster.kubectl("get", "namespace", namespace, check=False).returncode != 0)

    wait_for(gone, "the tenant and its namespace to be deleted", timeout=120)
