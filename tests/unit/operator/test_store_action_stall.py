"""Stall: phase Failed, Stalled=True, Ready=False, a Warning that says what to do; said once."""

from __future__ import annotations

import pytest
from tests.unit.operator.storekit import condition, conditions_of, converged, deps, make_pass, store

from storefleet_operator.models import Reason
from storefleet_operator.store.actions.stall import Stall

pytestmark = pytest.mark.unit

FAILING = {
    "phase": "Provisioning",
    "steps": [{"name": "wait-for-rollout", "state": "Failed", "attempts": 3, "message": "mariadb 0/1 ready"}],
    "conditions": [condition("Reconciling", "True", Reason.ROLLOUT_TIMED_OUT)],
}


async def test_exhausted_retries_stall_the_store_with_an_actionable_message() -> None:
    d = deps()
    d.gate.acquire("tenant-alice/shop")
    p = make_pass(converged(store(status=FAILING)))
    await Stall(reason=Reason.ROLLOUT_TIMED_OUT, step="wait-for-rollout", message="mariadb 0/1 ready").run(p, d)
    conditions = conditions_of(p.status)
    assert (conditions["Stalled"].status, conditions["Ready"].status) == ("True", "False")
    assert "Reconciling" not in conditions
    assert p.status.phase == "Failed"
    assert p.status.history[-1].reason == Reason.ROLLOUT_TIMED_OUT
    [event] = p.events
    assert (event.type, event.reason) == ("Warning", Reason.ROLLOUT_TIMED_OUT)
    assert "failed at step wait-for-rollout after 3 attempts: mariadb 0/1 ready" in event.message
    assert "storefleet.io/requested-at" in event.message
    assert d.gate.in_flight == 0


async def test_a_namespace_conflict_marks_the_namespace_step_failed() -> None:
    p = make_pass(converged(store()))
    await Stall(
        reason=Reason.NAMESPACE_CONFLICT,
        step="create-namespace",
        message="namespace store-shop-0a1b2c3d already exists",
    ).run(p, deps())
    [step] = p.status.steps
    assert (step.name, step.state) == ("create-namespace", "Failed")
    assert "delete or rename the namespace" in conditions_of(p.status)["Stalled"].message


async def test_an_already_stalled_store_is_left_alone() -> None:
    stalled = store(status={"phase": "Failed", "conditions": [condition("Stalled", "True")]})
    p = make_pass(converged(stalled, stalled=True))
    await Stall().run(p, deps())
    assert p.status == stalled.status and p.events == []
