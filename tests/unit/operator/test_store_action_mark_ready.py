"""MarkReady: Ready=True for this generation, the slot is freed, and only a change is announced."""

from __future__ import annotations

import pytest
from tests.unit.operator.storekit import condition, conditions_of, converged, deps, make_pass, store

from storefleet_operator.models import Reason
from storefleet_operator.store.actions.mark_ready import MarkReady

pytestmark = pytest.mark.unit

PROVISIONING = {
    "phase": "Provisioning",
    "url": "http://shop-alice.localhost",
    "history": [
        {"time": "2026-05-01T11:59:40+00:00", "phase": "Requested", "reason": "Accepted"},
        {"time": "2026-05-01T11:59:45+00:00", "phase": "Provisioning", "reason": "Provisioning"},
    ],
    "conditions": [condition("Reconciling", "True", Reason.CONFIGURING_ENGINE)],
}


async def test_ready_is_set_announced_and_timed_from_the_request() -> None:
    d = deps()
    d.gate.acquire("tenant-alice/shop")
    p = make_pass(converged(store(status=PROVISIONING)))
    await MarkReady().run(p, d)
    ready = conditions_of(p.status)["Ready"]
    assert (ready.status, ready.reason, ready.observed_generation) == ("True", Reason.SUCCEEDED, 1)
    assert "Reconciling" not in conditions_of(p.status)
    assert p.status.phase == "Ready" and p.status.history[-1].phase == "Ready"
    [event] = p.events
    assert event.message == "Store is ready at http://shop-alice.localhost (provisioned in 20 s)"
    assert d.gate.in_flight == 0
    samples = {s.name: s.value for m in d.telemetry.metrics.registry.collect() for s in m.samples}
    assert samples["storefleet_provisioning_duration_seconds_count"] == 1


async def test_an_already_ready_store_changes_nothing() -> None:
    ready = store(status={"phase": "Ready", "conditions": [condition("Ready", "True")]})
    p = make_pass(converged(ready))
    await MarkReady().run(p, deps())
    assert p.status == ready.status and p.events == []
