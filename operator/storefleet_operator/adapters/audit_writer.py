"""Writing to the durable audit log without ever making a reconcile or a request wait for it.

Boundary: `AuditWriter.submit` only puts a record on a bounded in-memory queue; one background task
creates the schema and inserts the queue in batches. When the database is down the batch in hand is
retried with backoff while new records wait on the queue; once the queue is full, further records
are dropped, logged and counted (`on_dropped`). Records still queued when the process stops are
lost as well. In both cases the Kubernetes Event for the same moment was written as usual, so
`kubectl describe` and the Event-based view still have it for the API server's --event-ttl.

`keep_for` runs retention: every `interval`, rows older than the retention period are deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final

import psycopg

from storefleet_operator.adapters.audit_store import AuditRecord, AuditStore

log = logging.getLogger(__name__)

QUEUE_BOUND: Final = 10_000
"""Records held while the database is unreachable: minutes of a busy fleet's events, a few MB."""
BATCH: Final = 500
"""Rows per INSERT round trip: large enough for bursts, small enough to retry cheaply."""
RETRY_MIN_SECONDS: Final = 1.0
RETRY_MAX_SECONDS: Final = 30.0
STOP_FLUSH_SECONDS: Final = 5.0
"""On shutdown, how long queued records get to reach the database before they are given up."""


class AuditWriter:
    def __init__(self, store: AuditStore, *, on_dropped: Callable[[int], None] = lambda _: None) -> None:
        self._store = store
        self._queue: asyncio.Queue[AuditRecord] = asyncio.Queue(maxsize=QUEUE_BOUND)
        self._on_dropped = on_dropped
        self._task: asyncio.Task[None] | None = None
        self._schema_ready = False
        self._in_hand = 0

    def submit(self, record: AuditRecord) -> None:
        """Queue one record; never blocks, never raises."""
        try:
            self._queue.put_nowait(record)
        except asyncio.QueueFull:
            log.warning("audit queue full: dropped %s event for %s", record.type, record.store or record.user_id)
            self._on_dropped(1)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="audit-writer")

    async def stop(self) -> None:
        """Give queued records a short time to land, then stop; the rest are counted as dropped."""
        if self._task is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), STOP_FLUSH_SECONDS)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        if left := self._queue.qsize() + self._in_hand:
            log.warning("audit writer stopped with %d events not written", left)
            self._on_dropped(left)

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            self._in_hand = len(batch)
            await self._write(batch)
            self._in_hand = 0
            for _ in batch:
                self._queue.task_done()

    async def _write(self, batch: list[AuditRecord]) -> None:
        delay = RETRY_MIN_SECONDS
        while True:
            try:
                if not self._schema_ready:
                    await self._store.ensure_schema()
                    self._schema_ready = True
                await self._store.insert(batch)
                return
            except (psycopg.Error, OSError, TimeoutError) as error:  # psycopg_pool.PoolTimeout is a psycopg.Error
                log.warning("audit database unavailable (%d events waiting): %s", len(batch), error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)


async def keep_for(store: AuditStore, *, days: int, interval_seconds: float) -> None:
    """Forever: delete records older than `days`, then sleep `interval_seconds`."""
    while True:
        try:
            await store.ensure_schema()
            removed = await store.delete_older_than(datetime.now(UTC) - timedelta(days=days))
            if removed:
                log.info("audit retention removed %d events older than %d days", removed, days)
        except (psycopg.Error, OSError, TimeoutError) as error:
            log.warning("audit retention skipped, database unavailable: %s", error)
        await asyncio.sleep(interval_seconds)
