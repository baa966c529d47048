"""Tenant decisions: one action per snapshot, provisioning and deletion (pure, no cluster)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from storefleet_operator.tenant.actions.block_deletion import BlockDeletion
from storefleet_operator.tenant.actions.converge import Converge
from storefleet_operator.tenant.actions.delete_namespace import DeleteNamespace
from storefleet_operator.tenant.actions.finish import Finish
from storefleet_operator.tenant.actions.reject import Reject
from storefleet_operator.tenant.decide import decide
from storefleet_operator.tenant.observe import observe

pytestmark = pytest.mark.unit
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def tenant(*, deleting: bool = False, valid: bool = True) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "alice", "generation": 1}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    spec: dict[str, Any] = {"owners": [{"kind": "User", "name": "alice@example.com"}], "displayName": "Alice"}
    if not valid:
        spec["storeLimit"] = -1
    return {"apiVersion": "storefleet.io/v1alpha1", "kind": "Tenant", "metadata": meta, "spec": spec}


@pytest.mark.parametrize(
    ("body", "stores", "namespace_present", "expected"),
    [
        pytest.param(tenant(), [], False, Converge, id="new-tenant-converges"),
        pytest.param(tenant(valid=False), [], False, Reject, id="invalid-spec-is-rejected"),
        pytest.param(tenant(deleting=True), ["shop"], True, BlockDeletion, id="deletion-blocked-by-stores"),
        pytest.param(tenant(deleting=True), [], True, DeleteNamespace, id="no-stores-namespace-goes"),
        pytest.param(tenant(deleting=True), [], False, Finish, id="nothing-left-finish"),
        pytest.param(tenant(deleting=True, valid=False), [], False, Finish, id="invalid-tenant-can-still-go"),
    ],
)
def test_one_action_per_snapshot(
    body: dict[str, Any], stores: list[str], namespace_present: bool, expected: type
) -> None:
    snapshot = observe(body, stores=stores, namespace_present=namespace_present, now=NOW)
    assert type(decide(snapshot)) is expected
    assert snapshot.namespace == "tenant-alice"
