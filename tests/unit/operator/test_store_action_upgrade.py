"""Upgrade: why an upgrade happens, as status and the Event say it."""

from __future__ import annotations

import pytest
from tests.unit.operator.storekit import converged, ready_rollout, revision, store

from storefleet_operator.store.actions import upgrade
from storefleet_operator.store.snapshot import ReleaseState, ReleaseView, RolloutView

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("s", "view", "why"),
    [
        pytest.param(
            store(generation=3, status={"observedGeneration": 2}),
            ReleaseView(ReleaseState.OUT_OF_SYNC),
            " to apply generation 3 of the spec",
            id="spec-change",
        ),
        pytest.param(
            store(status={"observedGeneration": 1}),
            ReleaseView(ReleaseState.OUT_OF_SYNC),
            " (its values or chart changed)",
            id="platform-values-or-chart-change",
        ),
        pytest.param(
            store(),
            ReleaseView(ReleaseState.FAILED, revision(2, "failed"), revision(1)),
            " (its last revision failed)",
            id="failed-revision",
        ),
        pytest.param(
            store(status={"observedGeneration": 1}),
            ReleaseView(ReleaseState.IN_SYNC, revision(), revision()),
            " to make again what was deleted outside it: Deployment/shop-wordpress",
            id="workload-deleted-by-hand",
        ),
    ],
)
def test_why(s: object, view: ReleaseView, why: str) -> None:
    missing = ("Deployment/shop-wordpress",) if view.state is ReleaseState.IN_SYNC else ()
    rollout = RolloutView(ready_rollout().workloads, missing=missing)
    assert upgrade.why(converged(s, release=view, rollout=rollout)) == why  # type: ignore[arg-type]
