"""The Kubernetes API calls of Store reconciliation, and nothing else (exec lives in ``execs.py``).

Every call runs the official (blocking) client in a worker thread, so the kopf event loop never waits
on the network. Objects go in and come out as plain dicts (the reconciler's pure code reads dicts), as
plain REST calls (``rest.py``): none of the client's generated API classes or models.
API errors become ``KubeError`` with a message a person can act on; a 404 on a read is ``None``.
Secret values are read only by ``read_secret_data``, and never appear in an error message.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from storefleet_operator import contract
from storefleet_operator.adapters import execs, helm_storage, rest
from storefleet_operator.adapters.rest import MERGE_PATCH
from storefleet_operator.engines import PodRef

STORE_PLURAL: Final = contract.STORES
TENANT_PLURAL: Final = contract.TENANTS
INSTANCE_LABEL: Final = "app.kubernetes.io/instance"
RBAC: Final = "rbac.authorization.k8s.io/v1"


class KubeError(Exception):
    """An API call failed; ``status`` is the HTTP status (0 when the server was not reached)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


def _explain(exc: ApiException, what: str) -> KubeError:
    detail = exc.reason or ""
    try:
        body = json.loads(exc.body or "{}")
        detail = body.get("message") or detail
    except (TypeError, ValueError):
        pass
    return KubeError(f"{what}: {exc.status} {detail}".strip(), exc.status or 0)


def _valid_secret(manifest: Mapping[str, Any]) -> bool:
    """A Secret manifest we can send: named, namespaced, and its data a mapping of strings."""
    meta = manifest.get("metadata")
    if not isinstance(meta, Mapping) or not meta.get("name") or not meta.get("namespace"):
        return False
    return all(
        isinstance(manifest.get(field, {}), Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in manifest.get(field, {}).items())
        for field in ("data", "stringData")
    )


class StoreKube:
    def __init__(self, api: client.ApiClient) -> None:
        self._api = api

    async def _call(
        self,
        what: str,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        body: Any = None,
        content_type: str = rest.JSON,
        missing_ok: bool = False,
    ) -> dict[str, Any] | None:
        """One REST call in a worker thread; its JSON answer, or None for a 404 when ``missing_ok``."""

        def run() -> dict[str, Any] | None:
            try:
                return rest.call(self._api, method, path, query=query, body=body, content_type=content_type)
            except ApiException as exc:
                if missing_ok and exc.status == 404:
                    return None
                raise _explain(exc, what) from None

        try:
            return await asyncio.to_thread(run)
        except OSError as exc:  # connection refused/reset: the API server is not reachable right now
            raise KubeError(f"{what}: {exc}") from None

    async def _create_or_replace(self, what: str, plural: str, manifest: Mapping[str, Any], api_version: str) -> None:
        meta = manifest["metadata"]
        try:
            await self._call(
                f"create {what}",
                "POST",
                rest.path(api_version, plural, namespace=meta["namespace"]),
                body=dict(manifest),
            )
        except KubeError as exc:
            if exc.status != 409:
                raise
            await self._call(
                f"update {what}",
                "PUT",
                rest.path(api_version, plural, meta["name"], meta["namespace"]),
                body=dict(manifest),
            )

    # ---------- the Store itself ----------
    async def read_store(self, namespace: str, name: str) -> dict[str, Any] | None:
        return await self._call(
            f"read store {namespace}/{name}",
            "GET",
            rest.path(contract.API_VERSION, STORE_PLURAL, name, namespace),
            missing_ok=True,
        )

    async def read_cluster_peering(self, name: str) -> dict[str, Any] | None:
        """kopf's ``ClusterKopfPeering`` object ``name``; None when it does not exist."""
        return await self._call(
            f"read the peering {name}", "GET", rest.path("kopf.dev/v1", "clusterkopfpeerings", name), missing_ok=True
        )

    async def patch_store_status(
        self, namespace: str, name: str, status: Mapping[str, Any], uid: str | None = None
    ) -> None:
        """Merge-patch the status subresource with the whole status (None values remove fields).

        With ``uid``, the API server applies the patch only to that very Store (a uid precondition):
        a late write for a deleted Store can never land on a new Store of the same name."""
        body: dict[str, Any] = {"status": dict(status)}
        if uid:
            body["metadata"] = {"uid": uid}
        await self._call(
            f"write the status of store {namespace}/{name}",
            "PATCH",
            rest.path(contract.API_VERSION, STORE_PLURAL, name, namespace) + "/status",
            body=body,
            content_type=MERGE_PATCH,
            missing_ok=True,  # deleted meanwhile: nothing left to describe
        )

    async def read_tenant(self, name: str) -> dict[str, Any] | None:
        return await self._call(
            f"read tenant {name}", "GET", rest.path(contract.API_VERSION, TENANT_PLURAL, name), missing_ok=True
        )

    # ---------- namespace ----------
    async def read_namespace(self, name: str) -> dict[str, Any] | None:
        return await self._call(f"read namespace {name}", "GET", rest.path("v1", "namespaces", name), missing_ok=True)

    async def create_namespace(self, manifest: Mapping[str, Any]) -> None:
        await self._call(
            f"create namespace {manifest['metadata']['name']}",
            "POST",
            rest.path("v1", "namespaces"),
            body={"apiVersion": "v1", "kind": "Namespace", **manifest},
        )

    async def label_namespace(self, name: str, labels: Mapping[str, str]) -> None:
        await self._call(
            f"label namespace {name}",
            "PATCH",
            rest.path("v1", "namespaces", name),
            body={"metadata": {"labels": dict(labels)}},
            content_type=MERGE_PATCH,
        )

    async def list_store_namespaces(self) -> list[dict[str, Any]]:
        """Every namespace the operator labelled as some store's (and nothing else)."""
        selector = (
            f"{contract.LABEL_MANAGED_BY}={contract.MANAGED_BY},{contract.LABEL_STORE},{contract.LABEL_STORE_NAMESPACE}"
        )
        found = await self._call(
            "list store namespaces", "GET", rest.path("v1", "namespaces"), query=[("labelSelector", selector)]
        )
        return list((found or {}).get("items") or [])

    async def post_event(
        self, regarding: Mapping[str, str], *, type_: str, reason: str, message: str, reporter: str
    ) -> None:
        """A core/v1 Event about ``regarding`` (apiVersion, kind, namespace, name, uid), which may be gone:
        the orphan sweep reports in the tenant namespace about a Store that no longer exists."""
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        involved = {k: regarding[k] for k in ("apiVersion", "kind", "namespace", "name")}
        if regarding.get("uid"):
            involved["uid"] = regarding["uid"]
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"generateName": f"{regarding['name']}.", "namespace": regarding["namespace"]},
            "involvedObject": involved,
            "type": type_,
            "reason": reason,
            "message": message,
            "count": 1,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "source": {"component": reporter},
            "reportingComponent": reporter,
        }
        await self._call(
            f"post event {reason} in {regarding['namespace']}",
            "POST",
            rest.path("v1", "events", namespace=regarding["namespace"]),
            body=event,
        )

    async def delete_namespace(self, name: str) -> None:
        await self._call(
            f"delete namespace {name}",
            "DELETE",
            rest.path("v1", "namespaces", name),
            body={"propagationPolicy": "Background"},
            missing_ok=True,
        )

    # ---------- credentials ----------
    async def secret_exists(self, namespace: str, name: str) -> bool:
        # metadata only would be nicer, but a GET is what RBAC `get` allows; the data is not kept.
        found = await self._call(
            f"read secret {namespace}/{name}", "GET", rest.path("v1", "secrets", name, namespace), missing_ok=True
        )
        return found is not None

    async def release_history(self, namespace: str, release: str) -> list[dict[str, Any]]:
        """The release's revisions (oldest first) as ``helm history --output json`` prints them, read
        from Helm's release Secrets; [] when there is no release (or no namespace). Older revisions
        carry their number and status only (``helm_storage.history``)."""
        listed = await self._call(
            f"list the Helm records of {release} in {namespace}",
            "GET",
            rest.path("v1", "secrets", namespace=namespace),
            query=[("labelSelector", helm_storage.release_selector(release))],
            missing_ok=True,
        )
        return helm_storage.history(listed.get("items") or []) if listed is not None else []

    async def read_secret_data(self, namespace: str, name: str) -> dict[str, str] | None:
        found = await self._call(
            f"read secret {namespace}/{name}", "GET", rest.path("v1", "secrets", name, namespace), missing_ok=True
        )
        if found is None:
            return None
        return {k: base64.b64decode(v).decode() for k, v in (found.get("data") or {}).items()}

    async def create_secret(self, manifest: Mapping[str, Any]) -> bool:
        """Create the Secret; False (and nothing changed) when it already exists: never overwritten."""
        meta = manifest.get("metadata") or {}
        what = f"create secret {meta.get('namespace')}/{meta.get('name')}"
        if not _valid_secret(manifest):
            # Say only that the manifest was malformed: a detailed error could quote the values.
            raise KubeError(f"{what}: the Secret manifest is malformed")
        try:
            await self._call(
                what,
                "POST",
                rest.path("v1", "secrets", namespace=meta["namespace"]),
                body={"apiVersion": "v1", "kind": "Secret", **manifest},
            )
        except KubeError as exc:
            if exc.status == 409:
                return False
            raise
        return True

    async def rolebinding_exists(self, namespace: str, name: str) -> bool:
        found = await self._call(
            f"read rolebinding {namespace}/{name}",
            "GET",
            rest.path(RBAC, "rolebindings", name, namespace),
            missing_ok=True,
        )
        return found is not None

    async def apply_role(self, manifest: Mapping[str, Any]) -> None:
        meta = manifest["metadata"]
        role = {"apiVersion": RBAC, "kind": "Role", **manifest}
        await self._create_or_replace(f"role {meta['namespace']}/{meta['name']}", "roles", role, RBAC)

    async def apply_rolebinding(self, manifest: Mapping[str, Any]) -> None:
        meta = manifest["metadata"]
        binding = {"apiVersion": RBAC, "kind": "RoleBinding", **manifest}
        await self._create_or_replace(f"rolebinding {meta['namespace']}/{meta['name']}", "rolebindings", binding, RBAC)

    # ---------- what the release runs ----------
    async def list_workloads(self, namespace: str, release: str) -> list[dict[str, Any]]:
        query = [("labelSelector", f"{INSTANCE_LABEL}={release}")]
        deployments, statefulsets = await asyncio.gather(
            self._call(
                f"list deployments in {namespace}", "GET", rest.path("apps/v1", "deployments", namespace=namespace),
                query=query,
            ),
            self._call(
                f"list statefulsets in {namespace}", "GET", rest.path("apps/v1", "statefulsets", namespace=namespace),
                query=query,
            ),
        )  # fmt: skip
        out = []
        for kind, listed in (("Deployment", deployments), ("StatefulSet", statefulsets)):
            for item in (listed or {}).get("items") or []:
                out.append({**item, "kind": kind})  # list items come without kind
        return out

    async def read_ingress(self, namespace: str, name: str) -> dict[str, Any] | None:
        return await self._call(
            f"read ingress {namespace}/{name}",
            "GET",
            rest.path("networking.k8s.io/v1", "ingresses", name, namespace),
            missing_ok=True,
        )

    async def find_ready_pod(self, namespace: str, selector: str) -> PodRef:
        """The one Ready pod to run engine setup in (``execs.PodNotFound`` explains when there is none)."""
        try:
            return await execs.find_ready_pod(self._api, namespace, selector)
        except ApiException as exc:
            raise _explain(exc, f"list pods in {namespace}") from None

    async def list_pods(self, namespace: str, labels: Mapping[str, str]) -> list[dict[str, Any]]:
        found = await self._call(
            f"list pods in {namespace}",
            "GET",
            rest.path("v1", "pods", namespace=namespace),
            query=[("labelSelector", rest.selector(labels))],
        )
        return list((found or {}).get("items") or [])

    async def read_node(self, name: str) -> dict[str, Any] | None:
        return await self._call(f"read node {name}", "GET", rest.path("v1", "nodes", name), missing_ok=True)

    async def delete_pod(self, namespace: str, name: str) -> None:
        await self._call(
            f"delete pod {namespace}/{name}", "DELETE", rest.path("v1", "pods", name, namespace), missing_ok=True
        )
