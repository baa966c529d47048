"""The gateway's handle on the durable audit log: the database pool, the writer and retention.

Boundary: builds and runs `storefleet_operator.adapters.audit_store`/`audit_writer` from the
gateway's settings for the app's lifespan. Without `audit_database_url` everything here is None
and the gateway behaves as before (Events only). Retention runs in every gateway replica: the
DELETE is idempotent, and the gateway is the one component every installation runs that reads
the table.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from storefleet_api.config import Settings
from storefleet_api.metrics import GatewayMetrics
from storefleet_operator.adapters.audit_store import AuditStore
from storefleet_operator.adapters.audit_writer import AuditWriter, keep_for


@dataclass
class AuditArchive:
    store: AuditStore | None = None
    writer: AuditWriter | None = None
    retention_days: int = 90
    retention_interval_seconds: float = 3600.0
    _retention: asyncio.Task[None] | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, metrics: GatewayMetrics) -> AuditArchive:
        if settings.audit_database_url is None:
            return cls()
        store = AuditStore(settings.audit_database_url.get_secret_value())
        return cls(
            store=store,
            writer=AuditWriter(store, on_dropped=metrics.audit_dropped.inc),
            retention_days=settings.audit_retention_days,
            retention_interval_seconds=settings.audit_retention_interval_seconds,
        )

    async def start(self) -> None:
        """Open the pool (without waiting for the server), start writing and retention."""
        if self.store is None or self.writer is None:
            return
        await self.store.open()
        self.writer.start()
        self._retention = asyncio.create_task(
            keep_for(self.store, days=self.retention_days, interval_seconds=self.retention_interval_seconds),
            name="audit-retention",
        )

    async def stop(self) -> None:
        if self._retention is not None:
            self._retention.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retention
        if self.writer is not None:
            await self.writer.stop()
        if self.store is not None:
            await self.store.close()
