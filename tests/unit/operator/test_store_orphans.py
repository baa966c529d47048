"""orphans: which labelled store namespaces no Store owns any more (pure part of the sweep)."""

from __future__ import annotations

from typing import Any

import pytest

from storefleet_operator import contract
from storefleet_operator.store.orphans import orphan_of

pytestmark = pytest.mark.unit

LABELS = {
    contract.LABEL_MANAGED_BY: contract.MANAGED_BY,
    contract.LABEL_STORE: "shop",
    contract.LABEL_STORE_NAMESPACE: "tenant-alice",
    contract.LABEL_STORE_UID: "u1",
}


def namespace(labels: dict[str, str], *, terminating: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "store-shop-0a1b2c3d", "labels": labels}
    if terminating:
        meta["deletionTimestamp"] = "2026-05-01T12:00:00Z"
    return {"metadata": meta, "status": {"phase": "Terminating" if terminating else "Active"}}


def store(uid: str) -> dict[str, Any]:
    return {"metadata": {"name": "shop", "namespace": "tenant-alice", "uid": uid}}


@pytest.mark.parametrize(
    ("ns", "owner", "orphaned"),
    [
        pytest.param(namespace(LABELS), store("u1"), False, id="its-store-exists"),
        pytest.param(namespace(LABELS), None, True, id="store-gone"),
        pytest.param(namespace(LABELS), store("u2"), True, id="store-deleted-and-made-again"),
        pytest.param(
            namespace({k: v for k, v in LABELS.items() if k != contract.LABEL_STORE_UID}),
            store("u2"),
            False,
            id="no-uid-label-and-a-store-of-that-name-exists",
        ),
        pytest.param(namespace(LABELS, terminating=True), None, False, id="already-being-deleted"),
        pytest.param(
            namespace({**LABELS, contract.LABEL_MANAGED_BY: "someone-else"}), None, False, id="not-labelled-by-us"
        ),
        pytest.param(
            namespace({k: v for k, v in LABELS.items() if k != contract.LABEL_STORE}),
            None,
            False,
            id="tenant-namespace",
        ),
    ],
)
def test_only_our_store_namespaces_without_their_store_are_orphans(
    ns: dict[str, Any], owner: dict[str, Any] | None, orphaned: bool
) -> None:
    found = orphan_of(ns, owner)
    assert (found is not None) is orphaned
    if found is not None:
        assert found.namespace == "store-shop-0a1b2c3d"
        assert found.key == "tenant-alice/shop"
        assert "tenant-alice/shop" in found.why
