"""What the chaos tests share: a platform of their own (control plane, operator and gateway processes),
an API client, tenants, and the evidence they read back (store namespaces, Helm releases, orphans).

The chaos tier kills and restarts processes — the operator, the gateway, even kube-apiserver — so it
runs on a cluster of its own, never on the session cluster the other tiers share.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from tests.cluster.operator_support import OperatorProcess
from tests.support import wait_for

from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.platform import GatewayProcess
from storefleet_operator import contract, naming

SWEEP_INTERVAL_SECONDS = 3.0
"""The operator's orphan sweep interval in this tier (production: 60 s)."""
PASSWORD = "correct horse battery chaos"
ADMIN_EMAIL = "chaos-admin@example.com"


_reporter: list[Any] = []


def report_to(config: Any) -> None:
    """Send ``say`` lines past pytest's output capture to its terminal (set by the tier's fixture)."""
    plugins = config.pluginmanager
    _reporter[:] = [plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")]


def say(line: str) -> None:
    """What a chaos test injected and found goes to the terminal even when output is captured."""
    terminal, capture = _reporter if _reporter else (None, None)
    if terminal is None or capture is None:
        print(f"[chaos] {line}", flush=True)
        return
    with capture.global_and_fixture_disabled():
        terminal.write_line(f"[chaos] {line}")


@dataclass
class Api:
    """The gateway over HTTP, as one signed-in person."""

    base: str
    token: str = ""
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30.0))

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, f"{self.base}/api/v1{path}", headers=self._headers(), **kwargs)

    def sign_in(self, email: str, *, register: bool) -> Api:
        if register:
            made = self.request("POST", "/auth/register", json={"email": email, "password": PASSWORD})
            assert made.status_code == 201, made.text
        answer = self.request("POST", "/auth/login", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        self.token = answer.json()["access_token"]
        return self

    def tenant(self) -> str:
        me = self.request("GET", "/auth/me")
        assert me.status_code == 200, me.text
        return str(me.json()["tenant"])

    def create(self, name: str, *, engine: str = "woocommerce", tenant: str | None = None) -> httpx.Response:
        params = {"tenant": tenant} if tenant else None
        body = {"name": name, "engine": engine, "displayName": f"Chaos {name}"}
        return self.request("POST", "/stores", json=body, params=params)

    def delete(self, name: str, *, tenant: str | None = None) -> httpx.Response:
        return self.request("DELETE", f"/stores/{name}", params={"tenant": tenant} if tenant else None)

    def retry(self, name: str, *, tenant: str | None = None) -> httpx.Response:
        return self.request("POST", f"/stores/{name}/retry", params={"tenant": tenant} if tenant else None)


@dataclass
class ChaosPlatform:
    cluster: LocalCluster
    operator: OperatorProcess
    gateway: GatewayProcess
    admin: Api

    def api(self) -> Api:
        return Api(self.gateway.url)

    def new_tenant(self, store_limit: int) -> tuple[Api, str]:
        """A tenant signed up through the gateway, its store limit set by the admin, quota counted."""
        person = self.api().sign_in(f"chaos-{uuid.uuid4().hex[:8]}@example.com", register=True)
        tenant = person.tenant()
        patch = json.dumps({"spec": {"storeLimit": store_limit}})
        self.cluster.kubectl("patch", "tenant", tenant, "--type=merge", "-p", patch)
        namespace = naming.tenant_namespace(tenant)

        def counted() -> bool:
            quota = self.kubectl_json("get", "resourcequota", "-n", namespace, "-o", "json")["items"]
            hard = [q["status"].get("hard", {}).get("count/stores.storefleet.io") for q in quota if q.get("status")]
            used = [q["status"].get("used", {}).get("count/stores.storefleet.io") for q in quota if q.get("status")]
            return str(store_limit) in hard and all(u is not None for u in used)

        wait_for(counted, f"the store quota of {namespace} counted at {store_limit}", timeout=90)
        return person, tenant

    def kubectl_json(self, *args: str) -> Any:
        return json.loads(self.cluster.kubectl(*args).stdout)

    def kubectl_store(self, verb: str, namespace: str, name: str) -> int:
        """Create or delete a Store with kubectl as a platform engineer would (no finalizer written)."""
        if verb == "create":
            manifest = {
                "apiVersion": contract.API_VERSION,
                "kind": "Store",
                "metadata": {"name": name, "namespace": namespace},
                "spec": {"engine": "woocommerce", "displayName": f"Chaos {name}"},
            }
            return self.cluster.kubectl("create", "-f", "-", input=json.dumps(manifest), check=False).returncode
        return self.cluster.kubectl(
            "delete", "store", name, "-n", namespace, "--wait=false", "--ignore-not-found", check=False
        ).returncode

    # ---------- evidence ----------
    def store_namespaces(self, tenant_namespace: str | None = None) -> list[dict[str, Any]]:
        selector = f"{contract.LABEL_MANAGED_BY}={contract.MANAGED_BY},{contract.LABEL_STORE}"
        if tenant_namespace:
            selector += f",{contract.LABEL_STORE_NAMESPACE}={tenant_namespace}"
        items: list[dict[str, Any]] = self.kubectl_json("get", "namespaces", "-l", selector, "-o", "json")["items"]
        return items

    def stores(self) -> dict[str, dict[str, Any]]:
        items = self.kubectl_json("get", "stores", "-A", "-o", "json")["items"]
        return {f"{s['metadata']['namespace']}/{s['metadata']['name']}": s for s in items}

    def orphans(self) -> list[str]:
        """Store namespaces (terminating or not) whose Store is gone or has another uid."""
        stores = self.stores()
        found = []
        for ns in self.store_namespaces():
            labels = ns["metadata"]["labels"]
            owner = stores.get(f"{labels[contract.LABEL_STORE_NAMESPACE]}/{labels[contract.LABEL_STORE]}")
            uid = labels.get(contract.LABEL_STORE_UID)
            if owner is None or (uid and owner["metadata"]["uid"] != uid):
                found.append(ns["metadata"]["name"])
        return found

    def helm_releases(self, namespace: str) -> list[dict[str, Any]]:
        out = self.cluster.helm("list", "-n", namespace, "-a", "-o", "json")
        releases: list[dict[str, Any]] = json.loads(out.stdout or "[]")
        return releases


def random_pause(low: float, high: float) -> None:
    time.sleep(random.uniform(low, high))


@contextlib.contextmanager
def gateway_down(platform: ChaosPlatform) -> Iterator[None]:
    platform.gateway.kill()
    try:
        yield
    finally:
        platform.gateway.start()
