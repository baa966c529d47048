"""The orphan sweep reads a namespace's Store from the API only when the operator's watch does not show
that very Store, and every FULL_SWEEP_EVERY-th sweep (the first included) reads them all; an orphan is
still removed either way."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from storefleet_operator import contract
from storefleet_operator.observability import Metrics
from storefleet_operator.store.orphans import FULL_SWEEP_EVERY, OrphanCollector

pytestmark = pytest.mark.unit


def store_namespace(name: str, uid: str) -> dict[str, Any]:
    labels = {
        contract.LABEL_MANAGED_BY: contract.MANAGED_BY,
        contract.LABEL_STORE: name,
        contract.LABEL_STORE_NAMESPACE: "tenant-alice",
        contract.LABEL_STORE_UID: uid,
    }
    return {"metadata": {"name": f"store-{name}", "labels": labels}, "status": {"phase": "Active"}}


class SweptKube:
    def __init__(self, stores: dict[str, str], namespaces: list[dict[str, Any]]) -> None:
        self.stores = stores  # name -> uid of the Stores that exist
        self.namespaces = namespaces
        self.reads: list[str] = []
        self.deleted: list[str] = []

    async def list_store_namespaces(self) -> list[dict[str, Any]]:
        return [n for n in self.namespaces if n["metadata"]["name"] not in self.deleted]

    async def read_store(self, namespace: str, name: str) -> dict[str, Any] | None:
        self.reads.append(name)
        uid = self.stores.get(name)
        return None if uid is None else {"metadata": {"namespace": namespace, "name": name, "uid": uid}}

    async def release_history(self, namespace: str, release: str) -> list[dict[str, Any]]:
        return []

    async def delete_namespace(self, name: str) -> None:
        self.deleted.append(name)

    async def post_event(self, regarding: dict[str, Any], **_: Any) -> None:
        return None


def test_watched_owners_are_not_read_except_in_a_full_sweep() -> None:
    kube = SweptKube(
        {"a": "uid-a", "b": "uid-b"},
        [store_namespace("a", "uid-a"), store_namespace("b", "uid-b"), store_namespace("gone", "uid-g")],
    )
    watched = {("a", "uid-a"), ("b", "uid-b"), ("gone", "uid-g")}  # the watch has not seen "gone" deleted yet
    collector = OrphanCollector(
        cast(Any, kube), cast(Any, None), Metrics(), owner_known=lambda _ns, name, uid: (name, uid) in watched
    )

    removed = asyncio.run(collector.sweep())  # the first sweep is a full one
    assert sorted(kube.reads) == ["a", "b", "gone"]
    assert [o.namespace for o in removed] == ["store-gone"] and kube.deleted == ["store-gone"]

    kube.reads.clear()
    kube.namespaces.append(store_namespace("c", "uid-c"))  # its Store is gone and the watch never showed it
    removed = asyncio.run(collector.sweep())
    assert kube.reads == ["c"], "only the owner the watch does not show is read"
    assert [o.namespace for o in removed] == ["store-c"]

    for _ in range(FULL_SWEEP_EVERY - 2):
        asyncio.run(collector.sweep())
    kube.reads.clear()
    asyncio.run(collector.sweep())
    assert sorted(kube.reads) == ["a", "b"], "every tenth sweep reads every owner again"
