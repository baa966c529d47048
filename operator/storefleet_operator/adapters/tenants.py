"""The Kubernetes API calls of Tenant reconciliation, and nothing else.

Applies the tenant's objects (server-side apply), reads and deletes its namespace, and lists the
names of the Stores in it. The reconciler's pure code (``tenant.observe``/``tenant.decide``) gets what
these return as plain values.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from storefleet_operator import contract
from storefleet_operator.adapters import apply, rest


class TenantKube:
    def __init__(self, api: client.ApiClient) -> None:
        self._api = api

    async def apply_all(self, objects: Iterable[dict[str, Any]]) -> None:
        for obj in objects:
            await apply.apply(self._api, obj)

    async def store_names(self, namespace: str) -> list[str]:
        """The Stores in a tenant namespace, sorted (none when the namespace does not exist)."""
        try:
            listing = await asyncio.to_thread(
                rest.call, self._api, "GET", rest.path(contract.API_VERSION, contract.STORES, namespace=namespace)
            )
        except ApiException as exc:
            if exc.status == 404:
                return []
            raise
        items: list[dict[str, Any]] = listing.get("items", []) if isinstance(listing, dict) else []
        return sorted(item["metadata"]["name"] for item in items)

    async def namespace_exists(self, namespace: str) -> bool:
        return await apply.get(self._api, "v1", "Namespace", namespace) is not None

    async def delete_namespace(self, namespace: str) -> None:
        await apply.delete(self._api, "v1", "Namespace", namespace)
