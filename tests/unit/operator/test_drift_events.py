"""Which Store a watch event of a namespace or workload concerns (``store.drift``)."""

from __future__ import annotations

from typing import Any

import pytest

from storefleet_operator import contract
from storefleet_operator.store.drift import drifted_store

pytestmark = pytest.mark.unit

OWNED = {contract.LABEL_STORE: "shop", contract.LABEL_STORE_NAMESPACE: "tenant-alice"}


def deployment(ready: int, replicas: int = 1, generation: int = 1, observed: int = 1, **labels: str) -> dict[str, Any]:
    return {
        "kind": "Deployment",
        "metadata": {"name": "shop-medusa", "generation": generation, "labels": {**OWNED, **labels}},
        "spec": {"replicas": replicas},
        "status": {
            "observedGeneration": observed,
            "replicas": replicas,
            "updatedReplicas": replicas,
            "readyReplicas": ready,
        },
    }


def namespace(**labels: str) -> dict[str, Any]:
    return {"kind": "Namespace", "metadata": {"name": "store-x", "labels": labels}}


@pytest.mark.parametrize(
    ("event_type", "obj", "key"),
    [
        pytest.param("MODIFIED", deployment(ready=0), "tenant-alice/shop", id="workload-not-ready"),
        pytest.param("MODIFIED", deployment(ready=1, replicas=10), "tenant-alice/shop", id="scaled-by-hand"),
        pytest.param("MODIFIED", deployment(ready=1, generation=2), "tenant-alice/shop", id="spec-changed-by-hand"),
        pytest.param("DELETED", deployment(ready=1), "tenant-alice/shop", id="workload-deleted"),
        pytest.param("MODIFIED", deployment(ready=1), None, id="routine-status-of-a-ready-workload"),
        pytest.param(None, deployment(ready=0), None, id="initial-listing"),
        pytest.param("ADDED", deployment(ready=0), None, id="added-by-the-stores-own-install"),
        pytest.param("MODIFIED", namespace(**OWNED), "tenant-alice/shop", id="namespace-relabelled"),
        pytest.param("DELETED", namespace(**OWNED), "tenant-alice/shop", id="namespace-deleted"),
        pytest.param("DELETED", namespace(**{contract.LABEL_STORE: "shop"}), None, id="no-store-namespace-label"),
        pytest.param("DELETED", {"kind": "Namespace", "metadata": {"name": "x"}}, None, id="no-labels"),
    ],
)
def test_a_change_under_a_store_names_that_store(event_type: str | None, obj: dict[str, Any], key: str | None) -> None:
    assert drifted_store(event_type, obj) == key
