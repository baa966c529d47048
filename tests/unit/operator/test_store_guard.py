"""guard: nothing is made for a Store that is gone, replaced, being deleted, or not yet finalized."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.operator.storekit import NAMESPACE, MemoryKube, converged, deps, make_pass, store, with_adapters

from storefleet_operator import contract
from storefleet_operator.store.actions.ensure_namespace import EnsureNamespace
from storefleet_operator.store.guard import FINALIZER_WAIT_SECONDS, StoreGone, why_not_wanted
from storefleet_operator.store.snapshot import NamespaceState

pytestmark = pytest.mark.unit


def body(
    *, uid: str = "u1", finalizers: tuple[str, ...] = (contract.FINALIZER,), deleting: bool = False
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "shop", "namespace": "tenant-alice", "uid": uid, "finalizers": list(finalizers)}
    if deleting:
        meta["deletionTimestamp"] = "2026-05-01T12:00:00Z"
    return {"metadata": meta}


@pytest.mark.parametrize(
    ("fresh", "gone_for_good", "words"),
    [
        pytest.param(None, True, "no longer exists", id="deleted"),
        pytest.param(body(uid="u2"), True, "new one of the same name", id="replaced"),
        pytest.param(body(deleting=True), True, "being deleted", id="deleting"),
        pytest.param(body(finalizers=()), False, "finalizer", id="kubectl-made-finalizer-not-yet-added"),
        pytest.param(body(finalizers=("other.io/keep",)), False, "finalizer", id="only-someone-elses-finalizer"),
    ],
)
def test_a_store_that_may_not_have_things_made_for_it_is_refused(
    fresh: dict[str, Any] | None, gone_for_good: bool, words: str
) -> None:
    refusal = why_not_wanted(fresh, "u1")
    assert refusal is not None and words in refusal.message
    assert (refusal.retry_in is None) is gone_for_good
    if not gone_for_good:
        assert refusal.retry_in == FINALIZER_WAIT_SECONDS


def test_a_live_finalized_store_is_wanted() -> None:
    assert why_not_wanted(body(), "u1") is None


async def test_an_action_makes_nothing_when_the_store_went_away_before_it_acted() -> None:
    kube = MemoryKube()
    p = make_pass(converged(store(uid="u1"), namespace_state=NamespaceState.ABSENT))

    async def gone() -> None:
        raise StoreGone("the Store no longer exists")

    p.confirm_wanted = gone
    with pytest.raises(StoreGone):
        await EnsureNamespace().run(p, with_adapters(deps(), kube))
    assert NAMESPACE not in kube.namespaces
    assert p.events == []
