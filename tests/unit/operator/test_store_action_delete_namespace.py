"""DeleteNamespace (deletion): delete, then wait until gone; a slow deletion is reported, not skipped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.unit.operator.storekit import (
    NAMESPACE,
    T0,
    Clock,
    MemoryKube,
    converged,
    deps,
    make_pass,
    store,
    with_adapters,
)

from storefleet_operator.models import Reason
from storefleet_operator.store.actions import delete_namespace
from storefleet_operator.store.actions.delete_namespace import DeleteNamespace
from storefleet_operator.store.snapshot import NamespaceState

pytestmark = pytest.mark.unit


async def test_deletes_the_namespace_then_polls() -> None:
    kube = MemoryKube()
    p = make_pass(converged(store(deleting=True), deleting=True))
    nxt = await DeleteNamespace().run(p, with_adapters(deps(), kube))
    assert kube.deleted == [NAMESPACE]
    assert nxt.delay == delete_namespace.POLL_SECONDS
    assert p.status.phase == "Deleting" and "PVCs, Secrets" in p.events[0].message


async def test_a_namespace_slower_than_the_bound_is_reported_once_and_still_waited_for() -> None:
    kube = MemoryKube()
    clock = Clock(T0)
    d = with_adapters(deps(clock=clock, helm_timeout_seconds=60), kube)
    p = make_pass(converged(store(deleting=True), deleting=True, namespace_state=NamespaceState.TERMINATING))
    assert (await DeleteNamespace().run(p, d)).delay == delete_namespace.POLL_SECONDS
    clock.now = T0 + timedelta(seconds=61)
    nxt = await DeleteNamespace().run(p, d)
    assert nxt.delay == delete_namespace.SLOW_POLL_SECONDS
    [warning] = p.events
    assert (warning.type, warning.reason) == ("Warning", Reason.DELETION_FAILED)
    assert "look for finalizers" in warning.message
    clock.now = T0 + timedelta(seconds=90)
    await DeleteNamespace().run(p, d)
    assert len(p.events) == 1
    assert kube.deleted == []  # a terminating namespace is not deleted again
