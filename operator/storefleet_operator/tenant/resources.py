"""Pure builders of what a Tenant owns, as plain manifests (no I/O; unit-tested without a cluster).

A Tenant ``t`` gets namespace ``tenant-t`` holding:
- ResourceQuota ``storefleet-stores``: ``count/stores.storefleet.io`` = the store limit. Kubernetes
  itself refuses the Store over the cap (failed stores count, so the cap cannot be dodged).
- ServiceAccount ``storefleet-tenant``: the identity the gateway impersonates for this tenant.
- RoleBinding ``storefleet-tenant``: owners and that ServiceAccount get ClusterRole
  ``storefleet-tenant`` (manage Stores) in this namespace only.
- RoleBinding ``storefleet-gateway-impersonation``: the gateway's ServiceAccount may impersonate
  that one ServiceAccount (ClusterRole ``storefleet-tenant-impersonator``) and nobody else.
"""

from __future__ import annotations

from typing import Any, Final

from storefleet_operator import naming
from storefleet_operator.models import Tenant

QUOTA_NAME: Final = "storefleet-stores"
STORE_COUNT_RESOURCE: Final = "count/stores.storefleet.io"
TENANT_SERVICE_ACCOUNT: Final = "storefleet-tenant"
TENANT_ROLE: Final = "storefleet-tenant"
IMPERSONATOR_ROLE: Final = "storefleet-tenant-impersonator"
IMPERSONATION_BINDING: Final = "storefleet-gateway-impersonation"


def _meta(tenant: Tenant, name: str, namespace: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": naming.tenant_labels(tenant.metadata.name)}
    if namespace:
        meta["namespace"] = namespace
    return meta


def namespace(tenant: Tenant) -> dict[str, Any]:
    meta = _meta(tenant, tenant.namespace)
    # Tenant namespaces hold only Store objects and a ServiceAccount; no workloads ever run here.
    meta["labels"] |= {"pod-security.kubernetes.io/enforce": "restricted"}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def store_quota(tenant: Tenant) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": _meta(tenant, QUOTA_NAME, tenant.namespace),
        "spec": {"hard": {STORE_COUNT_RESOURCE: str(tenant.spec.store_limit)}},
    }


def service_account(tenant: Tenant) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": _meta(tenant, TENANT_SERVICE_ACCOUNT, tenant.namespace),
        # The gateway impersonates this account; nothing should mount a token for it.
        "automountServiceAccountToken": False,
    }


def tenant_role_binding(tenant: Tenant) -> dict[str, Any]:
    subjects: list[dict[str, str]] = [
        {"kind": "ServiceAccount", "name": TENANT_SERVICE_ACCOUNT, "namespace": tenant.namespace}
    ]
    subjects += [
        {"kind": owner.kind, "name": owner.name, "apiGroup": "rbac.authorization.k8s.io"}
        for owner in tenant.spec.owners
    ]
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": _meta(tenant, TENANT_ROLE, tenant.namespace),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": TENANT_ROLE},
        "subjects": subjects,
    }


def impersonation_binding(tenant: Tenant, gateway_namespace: str, gateway_account: str) -> dict[str, Any]:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": _meta(tenant, IMPERSONATION_BINDING, tenant.namespace),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": IMPERSONATOR_ROLE},
        "subjects": [{"kind": "ServiceAccount", "name": gateway_account, "namespace": gateway_namespace}],
    }


def tenant_objects(tenant: Tenant, gateway_namespace: str, gateway_account: str) -> list[dict[str, Any]]:
    """Everything a tenant owns, namespace first (the others live in it)."""
    return [
        namespace(tenant),
        store_quota(tenant),
        service_account(tenant),
        tenant_role_binding(tenant),
        impersonation_binding(tenant, gateway_namespace, gateway_account),
    ]
