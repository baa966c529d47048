"""Store custom resources, their Events and their credentials Secret, read and written with one client.

Boundary: Kubernetes I/O only. The caller picks the client: a tenant's (impersonating the tenant's
`storefleet-tenant` ServiceAccount, so RBAC and quota judge every call) or the gateway's own (admin
reads, Events). Bodies are built and parsed with the operator's `Store` model, so the gateway cannot
write a Store the CRD would refuse or read one differently from the operator.
"""

from __future__ import annotations

import base64
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from kubernetes.client import ApiClient, CoreV1Api, CustomObjectsApi, V1DeleteOptions, V1Preconditions

from storefleet_api.storage.kubernetes import NotFound, StorageError, call
from storefleet_operator import contract
from storefleet_operator.models import InvalidResourceError, Store

logger = logging.getLogger(__name__)

PLURAL = contract.STORES
MERGE_PATCH = "application/merge-patch+json"  # custom resources take no strategic merge patch


class UnreadableStore(StorageError):
    """A Store whose body does not match the schema (edited past the CRD); says which and why."""


def parse_store(body: dict[str, Any]) -> Store:
    try:
        return Store.from_body(body)
    except InvalidResourceError as error:
        raise UnreadableStore(str(error)) from None


@dataclass(frozen=True)
class StorePage:
    """One page of Stores as Kubernetes returned it (before any filtering by the gateway)."""

    stores: list[Store]
    continue_token: str | None
    resource_version: str | None


@dataclass(frozen=True)
class EventRecord:
    """A Kubernetes Event, reduced to what people read."""

    time: datetime | None
    type: str
    reason: str
    message: str
    source: str
    count: int
    namespace: str
    kind: str
    name: str
    uid: str
    labels: dict[str, str]


class StoreRepository:
    """Stores as seen by one identity (whoever `client` authenticates as)."""

    def __init__(self, client: ApiClient, request_timeout: tuple[float, float]) -> None:
        self._api = CustomObjectsApi(client)
        self._core = CoreV1Api(client)
        self._timeout = request_timeout

    async def create(self, store: Store) -> Store:
        """Create the Store; Conflict when the name is taken, PermissionDenied on quota or RBAC."""
        body = store.manifest()
        namespace = store.metadata.namespace
        created = await call(
            self._api.create_namespaced_custom_object,
            contract.GROUP,
            contract.VERSION,
            namespace,
            PLURAL,
            body,
            _request_timeout=self._timeout,
        )
        return parse_store(cast(dict[str, Any], created))

    async def get(self, namespace: str, name: str) -> Store:
        """The Store, or NotFound."""
        found = await call(
            self._api.get_namespaced_custom_object,
            contract.GROUP,
            contract.VERSION,
            namespace,
            PLURAL,
            name,
            _request_timeout=self._timeout,
        )
        return parse_store(cast(dict[str, Any], found))

    async def page(
        self, namespace: str | None, *, limit: int, continue_token: str | None, field_selector: str | None = None
    ) -> StorePage:
        """One page of Stores in `namespace` (every namespace when None)."""
        options: dict[str, Any] = {"limit": limit, "_request_timeout": self._timeout}
        if continue_token:
            options["_continue"] = continue_token
        if field_selector:
            options["field_selector"] = field_selector
        if namespace is None:
            page = await call(self._api.list_cluster_custom_object, contract.GROUP, contract.VERSION, PLURAL, **options)
        else:
            page = await call(
                self._api.list_namespaced_custom_object, contract.GROUP, contract.VERSION, namespace, PLURAL, **options
            )
        body = cast(dict[str, Any], page)
        stores = []
        for item in body.get("items", []):
            try:
                stores.append(parse_store(item))
            except UnreadableStore as error:  # one bad object must not hide the rest of the page
                logger.warning("skipping unreadable Store: %s", error)
        metadata = body.get("metadata") or {}
        return StorePage(stores, metadata.get("continue") or None, metadata.get("resourceVersion"))

    async def delete(self, store: Store) -> Store | None:
        """Ask for deletion of exactly this Store (not one re-created under its name meanwhile).

        Returns the Store as the finalizer holds it (deletionTimestamp set), or None when it was
        removed at once (no finalizer yet: the operator had not seen it).
        """
        options = V1DeleteOptions(preconditions=V1Preconditions(uid=store.metadata.uid))
        with contextlib.suppress(NotFound):
            deleted = await call(
                self._api.delete_namespaced_custom_object,
                contract.GROUP,
                contract.VERSION,
                store.metadata.namespace,
                PLURAL,
                store.metadata.name,
                body=options,
                _request_timeout=self._timeout,
            )
            body = cast(dict[str, Any], deleted)
            # A Store removed at once comes back too, as it last was (no deletionTimestamp): it is gone.
            if body.get("kind") == "Store" and (body.get("metadata") or {}).get("deletionTimestamp"):
                return parse_store(body)
        return None

    async def annotate(self, store: Store, annotations: dict[str, str]) -> Store:
        """Merge these annotations into the Store's metadata (the retry request is one)."""
        patched = await call(
            self._api.patch_namespaced_custom_object,
            contract.GROUP,
            contract.VERSION,
            store.metadata.namespace,
            PLURAL,
            store.metadata.name,
            {"metadata": {"annotations": annotations}},
            _content_type=MERGE_PATCH,
            _request_timeout=self._timeout,
        )
        return parse_store(cast(dict[str, Any], patched))

    async def read_secret(self, namespace: str, name: str) -> dict[str, str]:
        """A Secret's data, decoded. Never logged by anything in this module."""
        secret = await call(self._core.read_namespaced_secret, name, namespace, _request_timeout=self._timeout)
        return {key: base64.b64decode(value).decode("utf-8", "replace") for key, value in (secret.data or {}).items()}

    async def events(
        self,
        namespace: str | None,
        *,
        field_selector: str | None = None,
        label_selector: str | None = None,
        max_items: int = 1000,
    ) -> list[EventRecord]:
        """Events in `namespace` (all namespaces when None), newest first, at most `max_items`."""
        records: list[EventRecord] = []
        token: str | None = None
        while len(records) < max_items:
            options: dict[str, Any] = {"limit": min(500, max_items - len(records)), "_request_timeout": self._timeout}
            if token:
                options["_continue"] = token
            if field_selector:
                options["field_selector"] = field_selector
            if label_selector:
                options["label_selector"] = label_selector
            if namespace is None:
                page = await call(self._core.list_event_for_all_namespaces, **options)
            else:
                page = await call(self._core.list_namespaced_event, namespace, **options)
            records += [_event_record(item) for item in page.items]
            token = page.metadata._continue if page.metadata else None
            if not token:
                break
        return sorted(records, key=_newest_first)


def _event_record(event: Any) -> EventRecord:
    # Events carry their time in one of three fields, depending on which API wrote them.
    when = event.last_timestamp or event.event_time or event.first_timestamp
    if when is None and event.metadata is not None:
        when = event.metadata.creation_timestamp
    involved = event.involved_object
    source = event.reporting_component or (event.source.component if event.source else None) or ""
    return EventRecord(
        time=when,
        type=event.type or "Normal",
        reason=event.reason or "",
        message=event.message or "",
        source=source,
        count=event.count or 1,
        namespace=(event.metadata.namespace if event.metadata else None) or "",
        kind=involved.kind or "",
        name=involved.name or "",
        uid=involved.uid or "",
        labels=dict((event.metadata.labels if event.metadata else None) or {}),
    )


def _newest_first(record: EventRecord) -> float:
    return -(record.time.timestamp() if record.time else 0.0)
