"""The Kubernetes API calls of Store reconciliation, and nothing else (exec lives in ``execs.py``).

Every call runs the official (blocking) client in a worker thread, so the kopf event loop never waits
on the network. Objects go in and come out as plain dicts (the reconciler's pure code reads dicts).
API errors become ``KubeError`` with a message a person can act on; a 404 on a read is ``None``.
Secret values are read only by ``read_secret_data``, and never appear in an error message.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from storefleet_operator import contract
from storefleet_operator.adapters import execs, helm_storage
from storefleet_operator.engines import PodRef

T = TypeVar("T")
STORE_PLURAL: Final = contract.STORES
TENANT_PLURAL: Final = contract.TENANTS
INSTANCE_LABEL: Final = "app.kubernetes.io/instance"


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


M = TypeVar("M")


def _model(cls: type[M], manifest: Mapping[str, Any]) -> M:
    """A typed client model from a manifest dict (the client validates its arguments)."""
    model: M | None = cls.from_dict(dict(manifest))  # type: ignore[attr-defined]
    if model is None:
        raise ValueError(f"empty {cls.__name__} manifest")
    return model


def _as_dict(found: object) -> dict[str, Any] | None:
    return dict(found) if isinstance(found, Mapping) else None


class StoreKube:
    def __init__(self, api: client.ApiClient) -> None:
        self._api = api
        self._core = client.CoreV1Api(api)
        self._apps = client.AppsV1Api(api)
        self._net = client.NetworkingV1Api(api)
        self._rbac = client.RbacAuthorizationV1Api(api)
        self._custom = client.CustomObjectsApi(api)

    async def _call(self, what: str, fn: Callable[[], T], *, missing_ok: bool = False) -> T | None:
        def run() -> T | None:
            try:
                return fn()
            except ApiException as exc:
                if missing_ok and exc.status == 404:
                    return None
                raise _explain(exc, what) from None

        try:
            return await asyncio.to_thread(run)
        except OSError as exc:  # connection refused/reset: the API server is not reachable right now
            raise KubeError(f"{what}: {exc}") from None

    async def _read(self, what: str, fn: Callable[[], Any], *, missing_ok: bool = False) -> dict[str, Any] | None:
        """A read whose answer is parsed as plain JSON: ``fn`` passes ``_preload_content=False``. The
        client's typed models cost more CPU than the call itself on the reconciler's per-pass reads.
        Reading the body (``.data``) is also what hands the connection back to the pool: an unread
        response would keep it."""
        found = await self._call(what, fn, missing_ok=missing_ok)
        if found is None:
            return None
        loaded: dict[str, Any] = json.loads(found.data)
        return loaded

    # ---------- the Store itself ----------
    async def read_store(self, namespace: str, name: str) -> dict[str, Any] | None:
        found = await self._call(
            f"read store {namespace}/{name}",
            lambda: self._custom.get_namespaced_custom_object(
                contract.GROUP, contract.VERSION, namespace, STORE_PLURAL, name
            ),
            missing_ok=True,
        )
        return _as_dict(found)

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
            lambda: self._custom.patch_namespaced_custom_object_status(
                contract.GROUP, contract.VERSION, namespace, STORE_PLURAL, name, body
            ),
            missing_ok=True,  # deleted meanwhile: nothing left to describe
        )

    async def read_tenant(self, name: str) -> dict[str, Any] | None:
        found = await self._call(
            f"read tenant {name}",
            lambda: self._custom.get_cluster_custom_object(contract.GROUP, contract.VERSION, TENANT_PLURAL, name),
            missing_ok=True,
        )
        return _as_dict(found)

    # ---------- namespace ----------
    async def read_namespace(self, name: str) -> dict[str, Any] | None:
        return await self._read(
            f"read namespace {name}", lambda: self._core.read_namespace(name, _preload_content=False), missing_ok=True
        )

    async def create_namespace(self, manifest: Mapping[str, Any]) -> None:
        await self._call(
            f"create namespace {manifest['metadata']['name']}",
            lambda: self._core.create_namespace(_model(client.V1Namespace, manifest)),
        )

    async def label_namespace(self, name: str, labels: Mapping[str, str]) -> None:
        await self._call(
            f"label namespace {name}",
            lambda: self._core.patch_namespace(
                name, {"metadata": {"labels": dict(labels)}}, _content_type="application/merge-patch+json"
            ),
        )

    async def list_store_namespaces(self) -> list[dict[str, Any]]:
        """Every namespace the operator labelled as some store's (and nothing else)."""
        selector = (
            f"{contract.LABEL_MANAGED_BY}={contract.MANAGED_BY},{contract.LABEL_STORE},{contract.LABEL_STORE_NAMESPACE}"
        )
        found = await self._read(
            "list store namespaces", lambda: self._core.list_namespace(label_selector=selector, _preload_content=False)
        )
        return list((found or {}).get("items") or [])

    async def post_event(
        self, regarding: Mapping[str, str], *, type_: str, reason: str, message: str, reporter: str
    ) -> None:
        """A core/v1 Event about ``regarding`` (apiVersion, kind, namespace, name, uid), which may be gone:
        the orphan sweep reports in the tenant namespace about a Store that no longer exists."""
        now = datetime.now(UTC)
        event = client.CoreV1Event(
            metadata=client.V1ObjectMeta(generate_name=f"{regarding['name']}.", namespace=regarding["namespace"]),
            involved_object=client.V1ObjectReference(
                api_version=regarding["apiVersion"],
                kind=regarding["kind"],
                namespace=regarding["namespace"],
                name=regarding["name"],
                uid=regarding.get("uid") or None,
            ),
            type=type_,
            reason=reason,
            message=message,
            count=1,
            first_timestamp=now,
            last_timestamp=now,
            source=client.V1EventSource(component=reporter),
            reporting_component=reporter,
        )
        await self._call(
            f"post event {reason} in {regarding['namespace']}",
            lambda: self._core.create_namespaced_event(regarding["namespace"], event),
        )

    async def delete_namespace(self, name: str) -> None:
        await self._call(
            f"delete namespace {name}",
            lambda: self._core.delete_namespace(name, propagation_policy="Background"),
            missing_ok=True,
        )

    # ---------- credentials ----------
    async def secret_exists(self, namespace: str, name: str) -> bool:
        # metadata only would be nicer, but a GET is what RBAC `get` allows; the data is not kept.
        found = await self._read(
            f"read secret {namespace}/{name}",
            lambda: self._core.read_namespaced_secret(name, namespace, _preload_content=False),
            missing_ok=True,
        )
        return found is not None

    async def release_history(self, namespace: str, release: str) -> list[dict[str, Any]]:
        """The release's revisions (oldest first) as ``helm history --output json`` prints them, read
        from Helm's release Secrets; [] when there is no release (or no namespace)."""
        listed = await self._read(
            f"list the Helm records of {release} in {namespace}",
            lambda: self._core.list_namespaced_secret(
                namespace, label_selector=helm_storage.release_selector(release), _preload_content=False
            ),
            missing_ok=True,
        )
        return helm_storage.history(listed.get("items") or []) if listed is not None else []

    async def read_secret_data(self, namespace: str, name: str) -> dict[str, str] | None:
        found = await self._call(
            f"read secret {namespace}/{name}",
            lambda: self._core.read_namespaced_secret(name, namespace),
            missing_ok=True,
        )
        if found is None:
            return None
        return {k: base64.b64decode(v).decode() for k, v in (found.data or {}).items()}

    async def create_secret(self, manifest: Mapping[str, Any]) -> bool:
        """Create the Secret; False (and nothing changed) when it already exists: never overwritten."""
        meta = manifest["metadata"]
        what = f"create secret {meta['namespace']}/{meta['name']}"
        try:
            body = _model(client.V1Secret, manifest)
        except ValueError:
            # A validation error would quote the values; say only that the manifest was malformed.
            raise KubeError(f"{what}: the Secret manifest is malformed") from None
        try:
            await self._call(what, lambda: self._core.create_namespaced_secret(meta["namespace"], body))
        except KubeError as exc:
            if exc.status == 409:
                return False
            raise
        return True

    async def rolebinding_exists(self, namespace: str, name: str) -> bool:
        found = await self._read(
            f"read rolebinding {namespace}/{name}",
            lambda: self._rbac.read_namespaced_role_binding(name, namespace, _preload_content=False),
            missing_ok=True,
        )
        return found is not None

    async def apply_role(self, manifest: Mapping[str, Any]) -> None:
        meta = manifest["metadata"]
        await self._create_or_replace(
            f"role {meta['namespace']}/{meta['name']}",
            lambda: self._rbac.create_namespaced_role(meta["namespace"], _model(client.V1Role, manifest)),
            lambda: self._rbac.replace_namespaced_role(
                meta["name"], meta["namespace"], _model(client.V1Role, manifest)
            ),
        )

    async def apply_rolebinding(self, manifest: Mapping[str, Any]) -> None:
        meta = manifest["metadata"]
        await self._create_or_replace(
            f"rolebinding {meta['namespace']}/{meta['name']}",
            lambda: self._rbac.create_namespaced_role_binding(
                meta["namespace"], _model(client.V1RoleBinding, manifest)
            ),
            lambda: self._rbac.replace_namespaced_role_binding(
                meta["name"], meta["namespace"], _model(client.V1RoleBinding, manifest)
            ),
        )

    async def _create_or_replace(self, what: str, create: Callable[[], Any], replace: Callable[[], Any]) -> None:
        try:
            await self._call(f"create {what}", create)
        except KubeError as exc:
            if exc.status != 409:
                raise
            await self._call(f"update {what}", replace)

    # ---------- what the release runs ----------
    async def list_workloads(self, namespace: str, release: str) -> list[dict[str, Any]]:
        selector = f"{INSTANCE_LABEL}={release}"
        deployments, statefulsets = await asyncio.gather(
            self._read(
                f"list deployments in {namespace}",
                lambda: self._apps.list_namespaced_deployment(
                    namespace, label_selector=selector, _preload_content=False
                ),
            ),
            self._read(
                f"list statefulsets in {namespace}",
                lambda: self._apps.list_namespaced_stateful_set(
                    namespace, label_selector=selector, _preload_content=False
                ),
            ),
        )
        out = []
        for kind, listed in (("Deployment", deployments), ("StatefulSet", statefulsets)):
            for item in (listed or {}).get("items") or []:
                out.append({**item, "kind": kind})  # list items come without kind
        return out

    async def read_ingress(self, namespace: str, name: str) -> dict[str, Any] | None:
        return await self._read(
            f"read ingress {namespace}/{name}",
            lambda: self._net.read_namespaced_ingress(name, namespace, _preload_content=False),
            missing_ok=True,
        )

    async def find_ready_pod(self, namespace: str, selector: str) -> PodRef:
        """The one Ready pod to run engine setup in (``execs.PodNotFound`` explains when there is none)."""
        try:
            return await execs.find_ready_pod(self._api, namespace, selector)
        except ApiException as exc:
            raise _explain(exc, f"list pods in {namespace}") from None

    async def list_pods(self, namespace: str, labels: Mapping[str, str]) -> list[dict[str, Any]]:
        selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        found = await self._read(
            f"list pods in {namespace}",
            lambda: self._core.list_namespaced_pod(namespace, label_selector=selector, _preload_content=False),
        )
        return list((found or {}).get("items") or [])

    async def read_node(self, name: str) -> dict[str, Any] | None:
        return await self._read(
            f"read node {name}", lambda: self._core.read_node(name, _preload_content=False), missing_ok=True
        )

    async def delete_pod(self, namespace: str, name: str) -> None:
        await self._call(
            f"delete pod {namespace}/{name}", lambda: self._core.delete_namespaced_pod(name, namespace), missing_ok=True
        )
