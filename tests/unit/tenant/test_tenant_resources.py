"""The objects a Tenant owns, built without a cluster."""

from __future__ import annotations

import pytest

from storefleet_operator.adapters.apply import resource_path
from storefleet_operator.models import Tenant
from storefleet_operator.tenant import resources

pytestmark = pytest.mark.unit


def make_tenant(limit: int = 5, owners: list[dict[str, str]] | None = None) -> Tenant:
    return Tenant.from_body({
        "apiVersion": "storefleet.io/v1alpha1", "kind": "Tenant", "metadata": {"name": "acme"},
        "spec": {"owners": owners or [{"kind": "User", "name": "ops@acme.test"}], "displayName": "Acme",
                 "storeLimit": limit},
    })


def test_everything_lives_in_the_tenant_namespace_and_is_labelled() -> None:
    objects = resources.tenant_objects(make_tenant(), "storefleet-system", "storefleet-gateway")
    assert [o["kind"] for o in objects] == ["Namespace", "ResourceQuota", "ServiceAccount", "RoleBinding",
                                            "RoleBinding"]
    assert objects[0]["metadata"]["name"] == "tenant-acme"
    for obj in objects[1:]:
        assert obj["metadata"]["namespace"] == "tenant-acme"
    for obj in objects:
        assert obj["metadata"]["labels"]["storefleet.io/tenant"] == "acme"
        assert obj["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "storefleet"


@pytest.mark.parametrize("limit", [0, 1, 5, 100])
def test_quota_caps_store_count_at_the_limit(limit: int) -> None:
    quota = resources.store_quota(make_tenant(limit))
    assert quota["spec"]["hard"] == {"count/stores.storefleet.io": str(limit)}


def test_owners_and_tenant_account_get_the_tenant_role_only() -> None:
    tenant = make_tenant(owners=[{"kind": "User", "name": "a@acme.test"}, {"kind": "Group", "name": "acme-ops"}])
    binding = resources.tenant_role_binding(tenant)
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                  "name": "storefleet-tenant"}
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "storefleet-tenant", "namespace": "tenant-acme"},
        {"kind": "User", "name": "a@acme.test", "apiGroup": "rbac.authorization.k8s.io"},
        {"kind": "Group", "name": "acme-ops", "apiGroup": "rbac.authorization.k8s.io"},
    ]


def test_gateway_is_bound_to_the_impersonator_role_in_this_namespace() -> None:
    binding = resources.impersonation_binding(make_tenant(), "platform", "gw")
    assert binding["metadata"]["namespace"] == "tenant-acme"
    assert binding["roleRef"]["name"] == "storefleet-tenant-impersonator"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "gw", "namespace": "platform"}]


def test_tenant_service_account_mounts_no_token() -> None:
    assert resources.service_account(make_tenant())["automountServiceAccountToken"] is False


@pytest.mark.parametrize(
    ("api_version", "kind", "namespace", "expected"),
    [
        ("v1", "Namespace", None, "/api/v1/namespaces/x"),
        ("v1", "ResourceQuota", "ns", "/api/v1/namespaces/ns/resourcequotas/x"),
        ("rbac.authorization.k8s.io/v1", "RoleBinding", "ns",
         "/apis/rbac.authorization.k8s.io/v1/namespaces/ns/rolebindings/x"),
    ],
)
def test_resource_paths(api_version: str, kind: str, namespace: str | None, expected: str) -> None:
    assert resource_path(api_version, kind, "x", namespace) == expected


def test_unknown_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="does not manage Pod"):
        resource_path("v1", "Pod", "x", "ns")
