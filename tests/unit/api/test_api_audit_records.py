"""What the operator and the gateway hand to the audit database for each Event they write, and the
WHERE clause the admin page's filters become (values only ever as parameters)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storefleet_api.storage.events import AUDIT_CATEGORY_LABEL, ObjectRef, _audit_record
from storefleet_operator import contract
from storefleet_operator.adapters.audit_store import AuditQuery, where_clause
from storefleet_operator.handlers.stores import store_audit_record
from storefleet_operator.models.events import warning

pytestmark = pytest.mark.unit

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("about", "labels", "expected"),
    [
        pytest.param(
            ObjectRef(kind="Store", name="shop", namespace="tenant-alice"),
            {AUDIT_CATEGORY_LABEL: "store", contract.LABEL_TENANT: "alice"},
            ("store", "alice", "shop", None),
            id="store-request",
        ),
        pytest.param(
            ObjectRef(kind="Secret", name="user-1a2b", namespace="storefleet-system"),
            {AUDIT_CATEGORY_LABEL: "security"},
            ("security", None, None, "user-1a2b"),
            id="security-without-tenant",
        ),
    ],
)
def test_gateway_events_become_audit_rows(
    about: ObjectRef, labels: dict[str, str], expected: tuple[str, str | None, str | None, str | None]
) -> None:
    row = _audit_record(about, "StoreRequested", "m" * 5000, True, labels, NOW)
    assert row is not None
    assert (row.category, row.tenant, row.store, row.user_id) == expected
    assert row.severity == "Warning" and len(row.message) == 1024 and row.time == NOW


@pytest.mark.parametrize("labels", [None, {}, {AUDIT_CATEGORY_LABEL: "other"}], ids=["none", "empty", "unknown"])
def test_events_without_an_audit_category_are_not_archived(labels: dict[str, str] | None) -> None:
    assert _audit_record(ObjectRef(kind="Pod", name="p", namespace="n"), "X", "m", False, labels, NOW) is None


def test_operator_events_become_store_rows_with_the_tenant_from_the_namespace() -> None:
    row = store_audit_record("tenant-alice", "shop", warning("HelmInstallFailed", "it broke"), NOW)
    assert (row.category, row.type, row.severity, row.tenant, row.store) == (
        "store", "HelmInstallFailed", "Warning", "alice", "shop"
    )  # fmt: skip
    assert store_audit_record("platform-ns", "shop", warning("X", "y"), NOW).tenant is None


@pytest.mark.parametrize(
    ("query", "sql", "params"),
    [
        pytest.param(AuditQuery(limit=5), "", [], id="no-filter"),
        pytest.param(AuditQuery(limit=5, tenant="a' OR 1=1"), " WHERE tenant = %s", ["a' OR 1=1"], id="quote"),
        pytest.param(
            AuditQuery(limit=5, category="store", type="T", tenant="t", store="s", since=NOW, until=NOW),
            " WHERE category = %s AND type = %s AND tenant = %s AND store = %s AND time >= %s AND time < %s",
            ["store", "T", "t", "s", NOW, NOW],
            id="every-filter",
        ),
    ],
)
def test_filters_are_parameters_never_text(query: AuditQuery, sql: str, params: list[object]) -> None:
    assert where_clause(query) == (sql, params)
