"""Helpers for the gateway's cluster tests: a platform namespace with the gateway's real RBAC from
deploy/gateway, and the real app acting with the gateway ServiceAccount's token (never admin).

Each platform gets its own namespace (the manifests' `storefleet-system` rewritten), so tests that
need a fresh state — "the first user becomes admin" — do not see each other's users or counters.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from fastapi import FastAPI

from storefleet_api.app import create_app
from storefleet_api.config import Settings
from storefleet_localcluster.cluster import LocalCluster

REPO = Path(__file__).resolve().parents[3]
GATEWAY_MANIFESTS = REPO / "deploy" / "gateway"
CRDS = REPO / "crds"
PLATFORM_NAMESPACE = "storefleet-system"
RBAC_FILES = ("namespace.yaml", "serviceaccount.yaml", "role.yaml", "clusterrole.yaml")
SCRAPE_TOKEN = "cluster-test-scrape-token-with-more-than-32-chars"
PASSWORD = "correct horse battery"


def gateway_documents(files: tuple[str, ...] = RBAC_FILES) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for name in files:
        docs += [doc for doc in yaml.safe_load_all((GATEWAY_MANIFESTS / name).read_text()) if doc]
    return docs


def relocate(docs: list[dict[str, Any]], namespace: str) -> list[dict[str, Any]]:
    """The manifests with `storefleet-system` replaced and cluster-wide names made unique."""
    text = yaml.safe_dump_all(docs).replace(PLATFORM_NAMESPACE, namespace)
    moved = [doc for doc in yaml.safe_load_all(text) if doc]
    for doc in moved:
        if doc["kind"] in ("ClusterRole", "ClusterRoleBinding"):
            doc["metadata"]["name"] = f"storefleet-gateway-{namespace}"
        if doc["kind"] == "ClusterRoleBinding":
            doc["roleRef"]["name"] = f"storefleet-gateway-{namespace}"
    return moved


@dataclass
class Platform:
    """A platform namespace, the gateway's RBAC in it, and a kubeconfig holding the gateway's token."""

    cluster: LocalCluster
    namespace: str
    kubeconfig: Path
    cluster_scoped: list[str] = field(default_factory=list)

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "environment": "development",
            "platform_namespace": self.namespace,
            "kubeconfig": self.kubeconfig,
            "metrics_token": SCRAPE_TOKEN,
        }
        return Settings(**(values | overrides))

    def kubectl_json(self, *args: str) -> Any:
        return yaml.safe_load(self.cluster.kubectl(*args, "-o", "json").stdout)

    def secret(self, name: str) -> dict[str, Any] | None:
        found = self.cluster.kubectl("get", "secret", name, "-n", self.namespace, "-o", "json", check=False)
        return yaml.safe_load(found.stdout) if found.returncode == 0 else None

    def events_about(self, name: str) -> list[dict[str, Any]]:
        listed = self.kubectl_json(
            "get", "events", "-n", self.namespace, "--field-selector", f"involvedObject.name={name}"
        )
        return list(listed["items"])

    def tenant(self, name: str) -> dict[str, Any]:
        return dict(self.kubectl_json("get", "tenant", name))

    def delete(self) -> None:
        self.cluster.kubectl("delete", "namespace", self.namespace, "--wait=false", "--ignore-not-found", check=False)
        for ref in self.cluster_scoped:
            self.cluster.kubectl("delete", ref, "--ignore-not-found", check=False)


def install_crds(cluster: LocalCluster) -> None:
    cluster.kubectl(
        "apply", "-f", str(CRDS / "tenants.storefleet.io.yaml"), "-f", str(CRDS / "stores.storefleet.io.yaml")
    )
    cluster.kubectl(
        "wait", "--for=condition=Established", "--timeout=60s", "crd/tenants.storefleet.io", "crd/stores.storefleet.io"
    )


def new_platform(cluster: LocalCluster, *, edit: Callable[[list[dict[str, Any]]], None] | None = None) -> Platform:
    """A fresh platform namespace with the gateway's RBAC applied (optionally edited first)."""
    namespace = f"sf-gw-{uuid.uuid4().hex[:8]}"
    docs = relocate(gateway_documents(), namespace)
    if edit is not None:
        edit(docs)
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(docs))
    kubeconfig = cluster.service_account_kubeconfig(namespace, "storefleet-gateway")
    names = [f"{doc['kind'].lower()}/{doc['metadata']['name']}" for doc in docs if doc["kind"].startswith("Cluster")]
    return Platform(cluster=cluster, namespace=namespace, kubeconfig=kubeconfig, cluster_scoped=names)


@dataclass
class Gateway:
    """One running gateway replica, reachable through ASGI from any client address."""

    app: FastAPI
    _clients: list[httpx.AsyncClient] = field(default_factory=list)

    def client(self, address: str = "198.51.100.10") -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=(address, 40000))
        http = httpx.AsyncClient(transport=transport, base_url="http://gateway.test", timeout=60)
        self._clients.append(http)
        return http


@contextlib.asynccontextmanager
async def running_gateway(settings: Settings) -> AsyncIterator[Gateway]:
    """A replica with its own Kubernetes clients, started and stopped through its lifespan."""
    app = create_app(settings)
    gateway = Gateway(app)
    async with app.router.lifespan_context(app):
        try:
            yield gateway
        finally:
            for http in gateway._clients:
                await http.aclose()


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


async def register(http: httpx.AsyncClient, email: str, password: str = PASSWORD, **extra: Any) -> httpx.Response:
    return await http.post("/api/v1/auth/register", json={"email": email, "password": password, **extra})


async def login(http: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await http.post("/api/v1/auth/login", json={"email": email, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
