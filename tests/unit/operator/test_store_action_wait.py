"""Wait: work outside the pass is in progress; no attempt is counted, the store is looked at soon."""

from __future__ import annotations

import pytest
from tests.unit.operator.storekit import conditions_of, converged, deps, make_pass

from storefleet_operator.store.actions import wait
from storefleet_operator.store.actions.wait import Wait

pytestmark = pytest.mark.unit


async def test_waiting_is_shown_and_counts_no_failure() -> None:
    p = make_pass(converged())
    nxt = await Wait(message="a helm operation on the release is still running").run(p, deps())
    assert nxt.delay == wait.POLL_SECONDS
    assert "helm operation" in conditions_of(p.status)["Reconciling"].message
    assert p.status.failures == 0 and p.status.steps == [] and p.events == []
