"""The gateway's identity in Kubernetes: its manifests apply and pass restricted Pod Security, its
RBAC allows what it needs and nothing else, tenant clients impersonate the tenant's ServiceAccount,
the signing key lives in a Secret all replicas share, and health reports the real cluster."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import yaml
from gateway_support import (
    GATEWAY_MANIFESTS,
    Platform,
    bearer,
    register,
    relocate,
    running_gateway,
    unique_email,
)
from kubernetes.client import AuthenticationV1Api, CoreV1Api, V1SelfSubjectReview

from storefleet_api.app import create_app
from storefleet_api.services.tokens import InsecureSigningKeyError
from storefleet_api.storage.kubernetes import KubernetesClients, PermissionDenied, call
from storefleet_localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster


def test_the_whole_kustomization_applies_and_passes_restricted_pod_security(
    cluster: LocalCluster, tenant_crd: None
) -> None:
    rendered = cluster.kubectl("kustomize", str(GATEWAY_MANIFESTS)).stdout
    namespace = "sf-gw-manifests"
    docs = relocate([doc for doc in yaml.safe_load_all(rendered) if doc], namespace)
    try:
        applied = cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(docs))
        assert "Warning" not in applied.stderr, applied.stderr  # Pod Security warns on violating workloads
        cluster.kubectl(
            "rollout", "status", "deployment/storefleet-gateway", "-n", namespace, "--timeout=90s"
        )  # kwok runs no image, but the pods must be admitted and scheduled
    finally:
        cluster.kubectl("delete", "namespace", namespace, "--wait=false", "--ignore-not-found", check=False)
        for doc in docs:
            if doc["kind"].startswith("Cluster"):
                cluster.kubectl(
                    "delete", doc["kind"].lower(), doc["metadata"]["name"], "--ignore-not-found", check=False
                )


def can_i(platform: Platform, verb: str, resource: str, *extra: str) -> bool:
    result = platform.cluster.kubectl(
        "auth", "can-i", verb, resource, *extra,
        f"--as=system:serviceaccount:{platform.namespace}:storefleet-gateway", check=False,
    )  # fmt: skip
    return result.stdout.strip() == "yes"


@pytest.mark.parametrize(
    ("verb", "resource", "where", "allowed"),
    [
        pytest.param("create", "secrets", "platform", True, id="create-user-secrets"),
        pytest.param("update", "configmaps", "platform", True, id="update-counters"),
        pytest.param("create", "events", "platform", True, id="create-events"),
        pytest.param("create", "tenants.storefleet.io", "cluster", True, id="create-tenants"),
        pytest.param("list", "stores.storefleet.io", "all", True, id="admins-list-stores"),
        pytest.param("list", "events", "all", True, id="audit-log-reads-events"),
        pytest.param("create", "events", "all", True, id="who-asked-events-on-stores"),
        pytest.param("delete", "events", "all", False, id="no-erasing-the-audit-trail"),
        pytest.param("patch", "events", "all", False, id="no-rewriting-the-audit-trail"),
        # list/watch in its own namespace feed the user cache (it could already get every Secret there).
        pytest.param("list", "secrets", "platform", True, id="lists-its-own-users-for-the-cache"),
        pytest.param("list", "secrets", "kube-system", False, id="no-listing-secrets-elsewhere"),
        pytest.param("get", "secrets", "kube-system", False, id="no-secrets-elsewhere"),
        pytest.param("get", "secrets", "all", False, id="no-secrets-cluster-wide"),
        pytest.param("create", "stores.storefleet.io", "default", False, id="store-writes-only-as-tenant"),
        pytest.param("delete", "tenants.storefleet.io", "cluster", False, id="no-tenant-deletion"),
        pytest.param("impersonate", "serviceaccounts", "default", False, id="no-cluster-wide-impersonation"),
        pytest.param("impersonate", "users", "cluster", False, id="no-user-impersonation"),
        pytest.param("create", "clusterrolebindings", "cluster", False, id="no-rbac-escalation"),
    ],
)
def test_the_gateway_may_do_what_it_needs_and_nothing_else(
    platform: Platform, verb: str, resource: str, where: str, allowed: bool
) -> None:
    scope = {"platform": ["-n", platform.namespace], "all": ["--all-namespaces"], "cluster": []}.get(
        where, ["-n", where]
    )
    assert can_i(platform, verb, resource, *scope) is allowed


def impersonation_grant(tenant_namespace: str, gateway_namespace: str) -> list[dict[str, Any]]:
    """What the operator creates per tenant: impersonate exactly the tenant's storefleet-tenant SA."""
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": tenant_namespace}},
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "storefleet-tenant", "namespace": tenant_namespace},
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "storefleet-gateway-impersonate", "namespace": tenant_namespace},
            "rules": [
                {
                    "apiGroups": [""],
                    "resources": ["serviceaccounts"],
                    "verbs": ["impersonate"],
                    "resourceNames": ["storefleet-tenant"],
                }
            ],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "storefleet-gateway-impersonate", "namespace": tenant_namespace},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Role",
                "name": "storefleet-gateway-impersonate",
            },
            "subjects": [{"kind": "ServiceAccount", "name": "storefleet-gateway", "namespace": gateway_namespace}],
        },
    ]


async def test_tenant_clients_act_as_the_tenants_service_account(platform: Platform) -> None:
    granted, ungranted = f"imp-{platform.namespace[-8:]}", f"nog-{platform.namespace[-8:]}"
    docs = impersonation_grant(f"tenant-{granted}", platform.namespace)
    platform.cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(docs))
    clients = KubernetesClients.from_kubeconfig(platform.kubeconfig, timeout_seconds=10)
    try:

        def who(api_client: Any) -> Any:
            return AuthenticationV1Api(api_client).create_self_subject_review(V1SelfSubjectReview())

        as_gateway = await call(who, clients.admin)
        as_tenant = await call(who, clients.client_for_tenant(granted))
        with pytest.raises(PermissionDenied):
            await call(who, clients.client_for_tenant(ungranted))  # no RoleBinding there: refused
        with pytest.raises(PermissionDenied):
            # Acting as the tenant, the gateway's own powers are gone: user Secrets are out of reach.
            await call(
                CoreV1Api(clients.client_for_tenant(granted)).read_namespaced_secret,
                "storefleet-jwt",
                platform.namespace,
            )
    finally:
        clients.close()
        platform.cluster.kubectl("delete", "namespace", f"tenant-{granted}", "--wait=false", check=False)
    assert as_gateway.status.user_info.username == f"system:serviceaccount:{platform.namespace}:storefleet-gateway"
    tenant_user = as_tenant.status.user_info
    assert tenant_user.username == f"system:serviceaccount:tenant-{granted}:storefleet-tenant"
    assert f"system:serviceaccounts:tenant-{granted}" in tenant_user.groups


async def test_replicas_share_the_signing_key_created_at_first_start(platform: Platform) -> None:
    settings = platform.settings()
    async with running_gateway(settings) as one, running_gateway(settings) as two:
        token = (await register(one.client(), unique_email("shared"))).json()["access_token"]
        on_the_other_replica = await two.client().get("/api/v1/auth/me", headers=bearer(token))
    assert on_the_other_replica.status_code == 200
    secret = platform.secret("storefleet-jwt")
    assert secret is not None and len(base64.b64decode(secret["data"]["signing-key"])) == 64


async def test_production_refuses_to_start_with_a_weak_signing_key_in_the_cluster(platform: Platform) -> None:
    platform.cluster.kubectl(
        "create", "secret", "generic", "storefleet-jwt", "-n", platform.namespace, "--from-literal=signing-key=changeme"
    )
    app = create_app(platform.settings(environment="production"))
    with pytest.raises(InsecureSigningKeyError, match="known default"):
        async with app.router.lifespan_context(app):
            pass


async def test_health_reports_the_real_cluster(platform: Platform) -> None:
    async with running_gateway(platform.settings()) as gateway:
        http = gateway.client()
        ready = await http.get("/api/v1/health/ready")
        report = await http.get("/api/v1/health")
    assert ready.status_code == 200
    body = report.json()
    assert body["status"] == "ok"
    assert body["kubernetes"]["reachable"] is True and body["kubernetes"]["latency_ms"] >= 0
    assert body["platform_namespace"] == {"name": platform.namespace, "present": True}


async def test_security_events_reach_metrics(platform: Platform) -> None:
    email = unique_email("metered")
    async with running_gateway(platform.settings()) as gateway:
        http = gateway.client()
        await register(http, email)
        await http.post("/api/v1/auth/login", json={"email": email, "password": "wrong password"})
        scraped = await http.get("/metrics", headers=bearer(platform.settings().metrics_token.get_secret_value()))  # type: ignore[union-attr]
    assert 'storefleet_gateway_security_events_total{event="LoginFailed"} 1.0' in scraped.text
    assert 'storefleet_gateway_security_events_total{event="UserRegistered"} 1.0' in scraped.text
