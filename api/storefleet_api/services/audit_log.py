"""The admin audit log: store lifecycle and security events, from the audit database or from Events.

Boundary: shapes what one of two sources returns into `AuditEntry`s.

- With an audit database (`Settings.audit_database_url`): one parameterised query through
  `storefleet_operator.adapters.audit_store.AuditStore`, which the operator and the gateway fill
  with every Event they write; kept for `audit_retention_days`. A database that does not answer
  is a 503: an audit page silently narrowed to the last hour would mislead.
- Without one (today's behaviour, nothing to install): Events read through
  `storage.stores.StoreRepository.events` (as the gateway); filters that Kubernetes can apply
  (namespace, kind, name, reason, tenant label) are sent as selectors, the rest (time) run here.
  Kubernetes keeps Events for the API server's --event-ttl (one hour by default).

Either way the sources are Events on Stores (the operator's transitions and the gateway's "who
asked" Events) and the gateway's security Events on user Secrets in the platform namespace.
"""

from __future__ import annotations

from datetime import datetime

import psycopg

from storefleet_api.errors import ServiceUnavailable
from storefleet_api.models.audit import AuditCategory, AuditEntry
from storefleet_api.storage.events import COMPONENT
from storefleet_api.storage.kubernetes import KubernetesClients
from storefleet_api.storage.stores import EventRecord, StoreRepository
from storefleet_operator import contract, naming
from storefleet_operator.adapters.audit_store import AuditQuery, AuditRecord, AuditStore

MAX_EVENTS_PER_SOURCE = 2000
"""Events read per source and request: bounds the cost of one audit query on a busy cluster."""


class AuditLog:
    def __init__(self, clients: KubernetesClients, platform_namespace: str, archive: AuditStore | None = None) -> None:
        self._events = StoreRepository(clients.admin, clients.request_timeout)
        self._platform_namespace = platform_namespace
        self._archive = archive

    async def entries(
        self,
        *,
        category: AuditCategory | None,
        reason: str | None,
        tenant: str | None,
        since: datetime | None,
        limit: int,
        store: str | None = None,
        until: datetime | None = None,
    ) -> tuple[list[AuditEntry], bool]:
        """Matching entries, newest first, at most `limit`; and whether more matched than were read.

        `reason`, `tenant` and `store` must already be validated (CamelCase word, tenant and store
        names): on the Events path they go into Kubernetes selectors, where a comma or '=' would
        change the query. (The database path sends them as parameters.)
        """
        if self._archive is not None:
            query = AuditQuery(
                limit=limit, category=category, type=reason, tenant=tenant, store=store, since=since, until=until
            )
            try:
                records, more = await self._archive.query(query)
            except (psycopg.Error, OSError, TimeoutError) as error:
                raise ServiceUnavailable(
                    f"the audit database does not answer ({type(error).__name__}); try again shortly",
                    retry_after=10,
                ) from error
            return [_archived_entry(record) for record in records], more
        return await self._from_events(category, reason, tenant, store, since, until, limit)

    async def _from_events(
        self,
        category: AuditCategory | None,
        reason: str | None,
        tenant: str | None,
        store: str | None,
        since: datetime | None,
        until: datetime | None,
        limit: int,
    ) -> tuple[list[AuditEntry], bool]:
        by_reason = f",reason={reason}" if reason else ""
        entries: list[AuditEntry] = []
        truncated = False
        if category in (None, "store"):
            namespace = naming.tenant_namespace(tenant) if tenant else None
            by_store = f",involvedObject.name={store}" if store else ""
            records = await self._events.events(
                namespace,
                field_selector="involvedObject.kind=Store" + by_store + by_reason,
                max_items=MAX_EVENTS_PER_SOURCE,
            )
            truncated |= len(records) >= MAX_EVENTS_PER_SOURCE
            entries += [_store_entry(record) for record in records]
        if category in (None, "security") and store is None:  # security events concern no store
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
        if until is not None:
            entries = [entry for entry in entries if entry.time is not None and entry.time < until]
        entries.sort(key=lambda entry: entry.time.timestamp() if entry.time else 0.0, reverse=True)
        return entries[:limit], truncated or len(entries) > limit


def _archived_entry(record: AuditRecord) -> AuditEntry:
    return AuditEntry(
        time=record.time,
        category=record.category,
        type=record.type,
        severity=record.severity,
        tenant=record.tenant,
        store=record.store,
        user_id=record.user_id,
        message=record.message,
        source=record.source,
        count=1,  # one row per occurrence: Kubernetes folds repeats into a count, the database does not
    )


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
