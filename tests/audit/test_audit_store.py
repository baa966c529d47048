"""The audit table on a real PostgreSQL: the admin page's filters, retention, hostile values, and a
writer that never blocks when the database is away."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from tests.audit.fixtures import AuditDatabase

from storefleet_localcluster.cluster import free_port
from storefleet_operator.adapters import audit_writer
from storefleet_operator.adapters.audit_store import TABLE, AuditQuery, AuditRecord, AuditStore
from storefleet_operator.adapters.audit_writer import AuditWriter, keep_for

pytestmark = [pytest.mark.audit, pytest.mark.timeout(120)]

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def record(minutes_ago: float, **fields: str) -> AuditRecord:
    values: dict[str, str] = {"category": "store", "type": "Provisioning", "severity": "Normal", **fields}
    return AuditRecord(
        time=NOW - timedelta(minutes=minutes_ago),
        category="security" if values["category"] == "security" else "store",
        type=values["type"],
        severity=values["severity"],
        message=fields.get("message", "something happened"),
        source="test",
        tenant=fields.get("tenant"),
        store=fields.get("store"),
        user_id=fields.get("user_id"),
    )


FLEET = [
    record(1, tenant="alice", store="shop", type="Succeeded"),
    record(2, tenant="alice", store="shop", type="Provisioning"),
    record(3, tenant="alice", store="blog", type="StoreRequested"),
    record(4, tenant="bob", store="shop", type="Succeeded"),
    record(5, category="security", type="LoginFailed", severity="Warning", tenant="alice", user_id="user-a"),
    record(6, category="security", type="UserRegistered", tenant="bob", user_id="user-b"),
    record(60 * 24 * 100, tenant="alice", store="shop", type="StoreRequested"),  # 100 days old
]


@pytest.mark.parametrize(
    ("query", "expected_minutes_ago"),
    [
        pytest.param(AuditQuery(limit=50), [1, 2, 3, 4, 5, 6, 144000], id="everything-newest-first"),
        pytest.param(AuditQuery(limit=50, tenant="alice"), [1, 2, 3, 5, 144000], id="by-tenant"),
        pytest.param(AuditQuery(limit=50, tenant="alice", store="shop"), [1, 2, 144000], id="by-tenant-and-store"),
        pytest.param(AuditQuery(limit=50, store="shop"), [1, 2, 4, 144000], id="by-store-name-across-tenants"),
        pytest.param(AuditQuery(limit=50, type="Succeeded"), [1, 4], id="by-type"),
        pytest.param(AuditQuery(limit=50, category="security"), [5, 6], id="by-category"),
        pytest.param(AuditQuery(limit=50, since=NOW - timedelta(minutes=3)), [1, 2, 3], id="since-inclusive"),
        pytest.param(AuditQuery(limit=50, until=NOW - timedelta(minutes=4)), [5, 6, 144000], id="until-exclusive"),
        pytest.param(
            AuditQuery(limit=50, since=NOW - timedelta(minutes=5), until=NOW - timedelta(minutes=2), tenant="alice"),
            [3, 5],
            id="time-window-and-tenant",
        ),
        pytest.param(AuditQuery(limit=50, tenant="carol"), [], id="unknown-tenant-is-empty"),
    ],
)
async def test_the_admin_page_filters(
    audit_store: AuditStore, query: AuditQuery, expected_minutes_ago: list[int]
) -> None:
    await audit_store.insert(FLEET)
    found, more = await audit_store.query(query)
    assert [round((NOW - r.time).total_seconds() / 60) for r in found] == expected_minutes_ago
    assert not more


async def test_limit_says_when_more_matched(audit_store: AuditStore) -> None:
    await audit_store.insert(FLEET)
    found, more = await audit_store.query(AuditQuery(limit=2))
    assert [r.type for r in found] == ["Succeeded", "Provisioning"] and more
    found, more = await audit_store.query(AuditQuery(limit=7))
    assert len(found) == 7 and not more


HOSTILE = [
    "alice' OR '1'='1",
    "alice'; DROP TABLE storefleet_audit_events; --",
    "a,storefleet.io/audit=security",
    'x" OR 1=1 --',
    "ålice-☃-\u202e",
    "\\x00\\",
    "a" * 100_000,
]


@pytest.mark.parametrize(
    "value", HOSTILE, ids=["quote-or", "drop-table", "selector", "dquote", "unicode", "nul", "100k"]
)
async def test_hostile_filter_values_match_nothing_and_change_nothing(
    audit_store: AuditStore, audit_database: AuditDatabase, value: str
) -> None:
    await audit_store.insert(FLEET)
    for query in (
        AuditQuery(limit=50, tenant=value),
        AuditQuery(limit=50, store=value),
        AuditQuery(limit=50, type=value),
    ):
        assert await audit_store.query(query) == ([], False)
    assert audit_database.sql(f"SELECT count(*) FROM {TABLE};").strip() == str(len(FLEET))  # noqa: S608


async def test_retention_deletes_old_rows_and_keeps_newer_ones(audit_store: AuditStore) -> None:
    now = datetime.now(UTC)
    kept = [record(0, type="Fresh"), record(0, type="EightyNineDays")]
    kept = [AuditRecord(**{**r.__dict__, "time": now - timedelta(days=d)}) for r, d in zip(kept, (0, 89), strict=True)]
    old = AuditRecord(**{**FLEET[0].__dict__, "time": now - timedelta(days=91), "type": "NinetyOneDays"})
    await audit_store.insert([*kept, old])
    sweeper = asyncio.create_task(keep_for(audit_store, days=90, interval_seconds=3600))
    try:
        for _ in range(100):
            found, _more = await audit_store.query(AuditQuery(limit=10))
            if len(found) == 2:
                break
            await asyncio.sleep(0.05)
    finally:
        sweeper.cancel()
    assert sorted(r.type for r in found) == ["EightyNineDays", "Fresh"]


async def test_the_writer_lands_queued_records_in_batches(audit_store: AuditStore) -> None:
    writer = AuditWriter(audit_store)
    writer.start()
    for n in range(1200):
        writer.submit(record(n, type="Bulk", tenant="alice", store=f"s{n % 7}"))
    await writer.stop()
    found, more = await audit_store.query(AuditQuery(limit=500, type="Bulk"))
    assert len(found) == 500 and more


async def test_a_database_that_is_down_never_blocks_a_writer_and_losses_are_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(audit_writer, "QUEUE_BOUND", 5)
    monkeypatch.setattr(audit_writer, "STOP_FLUSH_SECONDS", 0.2)
    down = AuditStore(f"postgresql://nobody:secret@127.0.0.1:{free_port()}/none", timeout_seconds=1)
    await down.open()
    dropped: list[int] = []
    writer = AuditWriter(down, on_dropped=dropped.append)
    writer.start()
    started = asyncio.get_running_loop().time()
    for n in range(20):
        writer.submit(record(n))  # returns at once: a reconcile or a login never waits for the archive
    assert asyncio.get_running_loop().time() - started < 0.1
    await asyncio.sleep(0.3)
    await writer.stop()
    await down.close()
    # 5 fit the queue, 15 were refused at once; the 5 still unwritten at stop are counted too.
    assert sum(dropped) == 20
