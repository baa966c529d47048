"""Finish (deletion): nothing is left; the store is forgotten by the gate and the metrics."""

from __future__ import annotations

import pytest
from tests.unit.operator.storekit import converged, deps, make_pass, store

from storefleet_operator.store.actions.finish import Finish

pytestmark = pytest.mark.unit


async def test_finishing_forgets_the_store_everywhere() -> None:
    d = deps()
    d.gate.enqueue("tenant-alice/shop")
    d.telemetry.phase("tenant-alice/shop", "Deleting", "woocommerce")
    p = make_pass(converged(store(deleting=True), deleting=True))
    nxt = await Finish().run(p, d)
    assert nxt.idle
    assert d.gate.depth == 0
    text = "\n".join(f"{s.name}{s.labels} {s.value}" for m in d.telemetry.metrics.registry.collect() for s in m.samples)
    assert "storefleet_stores{'phase': 'Deleting', 'engine': 'woocommerce'} 0.0" in text
    assert "gone" in p.events[0].message
