"""spec.suspend (Flux's convention): the operator changes nothing, says Suspended, and resumes when it
is false again; deletion still wins."""

from __future__ import annotations

import pytest
from tests.unit.operator.storekit import T0, condition, conditions_of, converged, deps, make_pass, store

from storefleet_operator.models import Reason, summarize
from storefleet_operator.store import decide as d
from storefleet_operator.store import status as st
from storefleet_operator.store.snapshot import NamespaceState, ReleaseState, ReleaseView

pytestmark = pytest.mark.unit

READY = {"phase": "Ready", "observedGeneration": 1, "conditions": [condition("Ready", "True", Reason.SUCCEEDED)]}
PROVISIONING = {"phase": "Provisioning", "conditions": [condition("Reconciling", "True", Reason.INSTALLING)]}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, d.Suspend(), id="converged-store-stays-suspended"),
        pytest.param({"release": ReleaseView(ReleaseState.ABSENT)}, d.Suspend(), id="no-install-while-suspended"),
        pytest.param({"namespace_state": NamespaceState.ABSENT}, d.Suspend(), id="no-namespace-while-suspended"),
        pytest.param({"deleting": True}, d.Uninstall(), id="deletion-still-runs"),
    ],
)
def test_a_suspended_store_gets_no_provisioning_action(changes: dict[str, object], expected: d.Action) -> None:
    snapshot = converged(store(suspend=True, status=READY), **changes)
    assert d.decide(snapshot) == expected


async def test_suspending_mid_provisioning_says_so_once_and_frees_the_slot() -> None:
    deps_ = deps()
    deps_.gate.acquire("tenant-alice/shop")
    p = make_pass(converged(store(suspend=True, status=PROVISIONING)))
    await d.Suspend().run(p, deps_)
    conditions = conditions_of(p.status)
    assert conditions["Suspended"].status == "True"
    assert "Reconciling" not in conditions  # nothing is in progress: kstatus must not wait forever
    assert [e.reason for e in p.events] == [Reason.SUSPENDED]
    assert deps_.gate.in_flight == 0
    again = make_pass(converged(store(suspend=True, status=p.status.model_dump(by_alias=True))))
    await d.Suspend().run(again, deps_)
    assert again.events == []


async def test_a_suspended_ready_store_still_reads_current_to_kstatus() -> None:
    p = make_pass(converged(store(suspend=True, status=READY)))
    await d.Suspend().run(p, deps())
    summary = summarize(p.status.conditions, generation=1, observed_generation=1)
    assert summary.status == "Current"


def test_resuming_drops_the_condition_with_an_event() -> None:
    suspended = {**READY, "conditions": [*READY["conditions"], condition("Suspended", "True", Reason.SUSPENDED)]}
    status, events = st.begin_pass(store(suspend=False, status=suspended), T0)
    assert "Suspended" not in conditions_of(status)
    assert [e.reason for e in events] == [Reason.RESUMED]
    still, quiet = st.begin_pass(store(suspend=True, status=suspended), T0)
    assert "Suspended" in conditions_of(still) and quiet == []
