"""The audit database for the tests: one throwaway PostgreSQL per session (Debian's server, started
by `storefleet_localcluster.postgres`), a database and role of its own, and a clean table per test.

The operator of the session and the gateways beside it write to it (see tests/conftest.py), so the
cluster tests exercise the same path as a deployment with `audit.database` set.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from storefleet_localcluster.postgres import Postgres
from storefleet_operator.adapters.audit_store import TABLE, AuditStore


@dataclass(frozen=True)
class AuditDatabase:
    server: Postgres
    url: str

    def sql(self, statements: str) -> str:
        return self.server.sql(statements, database="storefleet_audit")


@pytest.fixture(scope="session")
def audit_database() -> Iterator[AuditDatabase]:
    root = Path(tempfile.mkdtemp(prefix="storefleet-audit-"))
    root.chmod(0o711)  # PostgreSQL runs as `postgres` under root and must reach its directory inside
    server = Postgres.start(root / "pg", superuser_password=secrets.token_hex(16))
    try:
        url = server.create_owned_database("storefleet_audit", "storefleet_audit", secrets.token_hex(16))
        yield AuditDatabase(server, url)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def audit_store(audit_database: AuditDatabase) -> AsyncIterator[AuditStore]:
    """A connected store over an empty table."""
    store = AuditStore(audit_database.url)
    await store.open()
    await store.ensure_schema()
    audit_database.sql(f"TRUNCATE {TABLE};")
    try:
        yield store
    finally:
        await store.close()
