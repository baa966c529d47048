"""The durable audit log: store lifecycle and security events in one PostgreSQL table.

Boundary: the only module that speaks SQL. The operator and the gateway write through
`audit_writer.AuditWriter` (which calls `insert`), the gateway's admin audit page reads through
`query`, and retention calls `delete_older_than`. Every value travels as a query parameter; column
names and the ORDER BY are constants of this module, so no filter value can change a statement.

Kubernetes Events stay the live view (`kubectl describe store`); this table is the trail that
outlives the API server's --event-ttl. The schema is created idempotently at start-up under an
advisory lock, so several replicas of both processes can start together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

AuditCategory = Literal["store", "security"]

TABLE: Final = "storefleet_audit_events"
_SCHEMA_LOCK: Final = 0x5F_A0D17
"""pg_advisory_xact_lock key: two processes creating the schema at once would race on pg_type."""

# Each index serves one shape of the admin page's query: newest first, optionally narrowed by
# tenant (and store), by type, or by category. The time index alone also serves retention's DELETE.
_SCHEMA: Final = (
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        time timestamptz NOT NULL,
        category text NOT NULL CHECK (category IN ('store', 'security')),
        type text NOT NULL,
        severity text NOT NULL,
        tenant text,
        store text,
        user_id text,
        message text NOT NULL,
        source text NOT NULL
    )""",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_time ON {TABLE} (time DESC)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_tenant_store_time ON {TABLE} (tenant, store, time DESC)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_type_time ON {TABLE} (type, time DESC)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_category_time ON {TABLE} (category, time DESC)",
)
_COLUMNS: Final = ("time", "category", "type", "severity", "tenant", "store", "user_id", "message", "source")
_INSERT: Final = f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"  # noqa: S608 - constant text


@dataclass(frozen=True)
class AuditRecord:
    """One event as kept: what the admin audit page shows, one row per occurrence."""

    time: datetime
    category: AuditCategory
    type: str
    severity: str
    message: str
    source: str
    tenant: str | None = None
    store: str | None = None
    user_id: str | None = None


@dataclass(frozen=True)
class AuditQuery:
    """The admin page's filters; None means 'any'. Times are aware datetimes."""

    limit: int
    category: AuditCategory | None = None
    type: str | None = None
    tenant: str | None = None
    store: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def where_clause(query: AuditQuery) -> tuple[str, list[Any]]:
    """The WHERE clause (constant text with %s placeholders) and its parameters, in order."""
    conditions: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("category = %s", query.category),
        ("type = %s", query.type),
        ("tenant = %s", query.tenant),
        ("store = %s", query.store),
        ("time >= %s", query.since),
        ("time < %s", query.until),
    ):
        if value is not None:
            conditions.append(column)
            params.append(value)
    return (" WHERE " + " AND ".join(conditions)) if conditions else "", params


class AuditStore:
    """A small connection pool to the audit database; opened without waiting for the server."""

    def __init__(self, url: str, *, max_connections: int = 4, timeout_seconds: float = 5.0) -> None:
        # The URL (with its password) goes to libpq only: never logged, never on argv.
        self._pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            url,
            min_size=1,
            max_size=max_connections,
            timeout=timeout_seconds,
            open=False,
            kwargs={"connect_timeout": max(1, int(timeout_seconds)), "application_name": "storefleet-audit"},
        )
        self._timeout = timeout_seconds

    async def open(self) -> None:
        """Start the pool in the background: a database that is down does not block start-up."""
        await self._pool.open(wait=False)

    async def close(self) -> None:
        await self._pool.close()

    async def ensure_schema(self) -> None:
        async with self._pool.connection(timeout=self._timeout) as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            for statement in _SCHEMA:
                await conn.execute(statement)

    async def insert(self, records: Sequence[AuditRecord]) -> None:
        if not records:
            return
        rows = [tuple(getattr(record, column) for column in _COLUMNS) for record in records]
        async with self._pool.connection(timeout=self._timeout) as conn, conn.cursor() as cursor:
            await cursor.executemany(_INSERT, rows)

    async def query(self, query: AuditQuery) -> tuple[list[AuditRecord], bool]:
        """Matching records, newest first, at most `query.limit`; and whether more matched."""
        where, params = where_clause(query)
        statement = f"SELECT {', '.join(_COLUMNS)} FROM {TABLE}{where} ORDER BY time DESC, id DESC LIMIT %s"  # noqa: S608 - constant text, values are parameters
        async with self._pool.connection(timeout=self._timeout) as conn, conn.cursor(row_factory=dict_row) as cursor:
            await cursor.execute(statement, [*params, query.limit + 1])
            rows = await cursor.fetchall()
        records = [AuditRecord(**row) for row in rows]
        return records[: query.limit], len(records) > query.limit

    async def delete_older_than(self, cutoff: datetime) -> int:
        """Remove records from before `cutoff`; how many went."""
        async with self._pool.connection(timeout=self._timeout) as conn:
            cursor = await conn.execute(f"DELETE FROM {TABLE} WHERE time < %s", (cutoff,))  # noqa: S608 - constant text
            return cursor.rowcount
