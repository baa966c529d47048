"""The admin audit log: store lifecycle and security events, read back from Kubernetes Events.

Boundary: reads Events through `storage.stores.StoreRepository.events` (as the gateway) and shapes
them; filters that Kubernetes can apply (namespace, kind, reason, tenant label) are sent as
selectors, the rest (since) run here.

Two sources: Events on Stores in every namespace (the operator's transitions and the gateway's
"who asked" Events), and the gateway's security Events on user Secrets in the platform namespace.
Kubernetes keeps Events for the API server's --event-ttl (one hour by default): this log shows
recent activity. For a longer trail, ship Events to long-term storage (an event exporter); every
store also keeps its last transitions in status.history.
"""

from __future__ import annotations

from datetime import datetime

from storefleet_api.models.audit import AuditCategory, AuditEntry
from storefleet_api.storage.events import COMPONENT
from storefleet_api.storage.kubernetes import KubernetesClients
from storefleet_api.storage.stores import EventRecord, StoreRepository
from storefleet_operator import contract, naming

MAX_EVENTS_PER_SOURCE = 2000
"""Events read per source and request: bounds the cost of one audit query on a busy cluster."""


class AuditLog:
    def __init__(self, clients: KubernetesClients, platform_namespace: str) -> None:
        self._events = StoreRepository(clients.admin, clients.request_timeout)
        self._platform_namespace = platform_namespace

    async def entries(
        self,
        *,
        category: AuditCategory | None,
        reason: str | None,
        tenant: str | None,
        since: datetime | None,
        limit: int,
    ) -> tuple[list[AuditEntry], bool]:
        """Matching entries, newest first, at most `limit`; and whether more matched than were read.

        `reason` and `tenant` must already be validated (CamelCase word, tenant name): they go into
        Kubernetes selectors, where a comma or '=' would change the query.
        """
        by_reason = f",reason={reason}" if reason else ""
        entries: list[AuditEntry] = []
        truncated = False
        if category in (None, "store"):
            namespace = naming.tenant_namespace(tenant) if tenant else None
            records = await self._events.events(
                namespace, field_selector="involvedObject.kind=Store" + by_reason, max_items=MAX_EVENTS_PER_SOURCE
            )
            truncated |= len(records) >= MAX_EVENTS_PER_SOURCE
            entries += [_store_entry(record) for record in records]
        if category in (None, "security"):
            labels = f"{contract.LABEL_TENANT}={tenant}" if tenant else None
            records = await self._events.events(
                self._platform_namespace,
                field_selector=f"involvedObject.kind=Secret,source={COMPONENT}" + by_reason,
                label_selector=labels,
                max_items=MAX_EVENTS_PER_SOURCE,
            )
            truncated |= len(records) >= MAX_EVENTS_PER_SOURCE
            entries += [_security_entry(record) for record in records]
        if since is not None:
            entries = [entry for entry in entries if entry.time is not None and entry.time >= since]
        entries.sort(key=lambda entry: entry.time.timestamp() if entry.time else 0.0, reverse=True)
        return entries[:limit], truncated or len(entries) > limit


def _store_entry(record: EventRecord) -> AuditEntry:
    return AuditEntry(
        time=record.time,
        category="store",
        type=record.reason,
        severity=record.type,
        tenant=naming.tenant_from_namespace(record.namespace),
        store=record.name,
        message=record.message,
        source=record.source,
        count=record.count,
    )


def _security_entry(record: EventRecord) -> AuditEntry:
    return AuditEntry(
        time=record.time,
        category="security",
        type=record.reason,
        severity=record.type,
        tenant=record.labels.get(contract.LABEL_TENANT),
        user_id=record.name,
        message=record.message,
        source=record.source,
        count=record.count,
    )
