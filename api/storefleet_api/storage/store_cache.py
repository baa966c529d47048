"""Every Store in the cluster, in memory, fed by one watch (as the gateway's own ServiceAccount).

Boundary: Kubernetes reads only. ``StoreService`` reads stores here instead of calling the API per
request, writes through the tenant's own client as before (RBAC and quota still judge every write),
and puts what a write returned into this cache, so a tenant always reads its own writes at once.
Until the first list has arrived (or while the watch is being re-established) reads go to the API.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from kubernetes.client import CustomObjectsApi

from storefleet_api.storage.kubernetes import KubernetesClients
from storefleet_api.storage.stores import PLURAL, UnreadableStore, parse_store
from storefleet_api.storage.watch_cache import WatchCache
from storefleet_operator import contract
from storefleet_operator.models import Store

logger = logging.getLogger(__name__)


def _store_or_none(body: dict[str, Any]) -> Store | None:
    try:
        return parse_store(body)
    except UnreadableStore as error:  # one bad object must not hide the rest; API reads report it
        logger.warning("not caching an unreadable Store: %s", error)
        return None


class StoreCache:
    def __init__(self, clients: KubernetesClients) -> None:
        api = CustomObjectsApi(clients.admin)
        lister = functools.partial(api.list_cluster_custom_object, contract.GROUP, contract.VERSION, PLURAL)
        self._cache: WatchCache[Store] = WatchCache("stores", lister, _store_or_none)

    @property
    def synced(self) -> bool:
        return self._cache.synced

    def start(self) -> None:
        self._cache.start()

    def stop(self) -> None:
        self._cache.stop()

    def get(self, namespace: str, name: str) -> Store | None:
        return self._cache.get(namespace, name)

    def in_namespace(self, namespace: str | None) -> list[Store]:
        """The namespace's Stores (every namespace's when None), in the API's order: namespace, name."""
        return self._cache.values(namespace)

    def counts(self) -> dict[str, int]:
        """Stores per namespace."""
        return self._cache.counts()

    def remember(self, store: Store) -> Store:
        """What a write of ours returned: read back at once, before the watch brings it."""
        meta = store.metadata
        self._cache.put(meta.namespace or "", meta.name, store, meta.resource_version or "")
        return store

    def forget(self, namespace: str, name: str) -> None:
        self._cache.remove(namespace, name)
