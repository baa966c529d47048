"""The worker's wake-up rule, the deletion fallback, and the desired values a pass builds."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from tests.unit.operator.storekit import deps, store

from storefleet_operator import contract
from storefleet_operator.store.reconciler import StoreReconciler
from storefleet_operator.store.runtime import _deletable, change_token
from storefleet_operator.store.values import values_digest

pytestmark = pytest.mark.unit


def body(**metadata: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "shop", "namespace": "tenant-alice", "generation": 1, **metadata},
        "spec": {"engine": "medusa", "displayName": "Shop"},
    }


@pytest.mark.parametrize(
    ("after", "wakes"),
    [
        pytest.param(body(generation=2), True, id="spec-change"),
        pytest.param(body(annotations={contract.ANNOTATION_REQUESTED_AT: "1"}), True, id="retry-request"),
        pytest.param(body(deletionTimestamp="2026-05-01T12:00:00Z"), True, id="deletion"),
        pytest.param(body(annotations={"storefleet.io/request-id": "x"}), False, id="other-annotation"),
        pytest.param({**body(), "status": {"phase": "Ready"}}, False, id="our-own-status-write"),
    ],
)
def test_a_waiting_worker_wakes_for_what_needs_a_new_pass(after: dict[str, Any], wakes: bool) -> None:
    assert (change_token(after) != change_token(body())) is wakes


def test_a_store_whose_spec_no_longer_parses_can_still_be_deleted() -> None:
    broken = {**body(), "spec": {"engine": "medusa", "displayName": "", "unknown": 1}, "status": {"phase": 7}}
    store = _deletable(broken)
    assert (store.metadata.namespace, store.metadata.name, store.spec.engine) == ("tenant-alice", "shop", "medusa")


def test_desired_values_layer_files_then_extra_then_the_store(tmp_path: Path) -> None:
    platform = tmp_path / "platform.yaml"
    platform.write_text("ingress:\n  className: traefik\n  host: ignored.example\nresourceQuota:\n  enabled: true\n")
    d = deps(values_files=[platform], extra_values={"tenant-alice/*": {"resourceQuota": {"enabled": False}}})
    desired, error = StoreReconciler(d).desired(store())
    assert error is None and desired is not None
    assert desired.values["ingress"] == {"className": "traefik", "host": "shop-alice.localhost"}
    assert desired.values["resourceQuota"] == {"enabled": False}
    assert desired.digest == values_digest(desired.values, desired.chart)


def test_an_unreadable_values_file_is_reported_not_raised(tmp_path: Path) -> None:
    d = deps(values_files=[tmp_path / "gone.yaml"])
    desired, error = StoreReconciler(dataclasses.replace(d)).desired(store())
    assert desired is None and error is not None and "gone.yaml" in error
