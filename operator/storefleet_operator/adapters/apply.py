"""Server-side apply of plain-dict manifests, and deletes, through the official Kubernetes client.

Server-side apply with one field manager makes every "ensure" idempotent: re-applying the same
object is a no-op, and a changed builder output converges the live object. Only the kinds the
operator manages are known here, so a typo in a builder fails loudly instead of hitting a wrong URL.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from storefleet_operator.adapters import rest

FIELD_MANAGER = "storefleet-operator"

_PLURALS = {
    "Namespace": "namespaces",
    "ResourceQuota": "resourcequotas",
    "LimitRange": "limitranges",
    "ServiceAccount": "serviceaccounts",
    "Secret": "secrets",
    "Role": "roles",
    "RoleBinding": "rolebindings",
    "NetworkPolicy": "networkpolicies",
}


def resource_path(api_version: str, kind: str, name: str, namespace: str | None) -> str:
    if kind not in _PLURALS:
        raise ValueError(f"the operator does not manage {kind} objects")
    return rest.path(api_version, _PLURALS[kind], name, namespace)


def _path_of(obj: dict[str, Any]) -> str:
    meta = obj["metadata"]
    return resource_path(obj["apiVersion"], obj["kind"], meta["name"], meta.get("namespace"))


async def apply(api: client.ApiClient, obj: dict[str, Any]) -> dict[str, Any]:
    """Create or converge ``obj`` (server-side apply, our field manager, conflicts forced)."""
    # JSON is YAML, so the manifest goes as-is with the apply-patch content type.
    return await asyncio.to_thread(
        rest.call,
        api,
        "PATCH",
        _path_of(obj),
        query=[("fieldManager", FIELD_MANAGER), ("force", "true")],
        content_type=rest.APPLY_PATCH,
        body=json.dumps(obj),
    )


async def get(
    api: client.ApiClient, api_version: str, kind: str, name: str, namespace: str | None = None
) -> dict[str, Any] | None:
    """The live object, or None when it does not exist."""
    try:
        return await asyncio.to_thread(rest.call, api, "GET", resource_path(api_version, kind, name, namespace))
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


async def delete(api: client.ApiClient, api_version: str, kind: str, name: str, namespace: str | None = None) -> bool:
    """Delete (foreground propagation); True if something was there to delete."""
    try:
        await asyncio.to_thread(
            rest.call,
            api,
            "DELETE",
            resource_path(api_version, kind, name, namespace),
            body={"propagationPolicy": "Foreground"},
        )
    except ApiException as exc:
        if exc.status == 404:
            return False
        raise
    return True
