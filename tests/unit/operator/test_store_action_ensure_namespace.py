"""EnsureNamespace: the store namespace is created labelled for its store and Pod Security level."""

from __future__ import annotations

import dataclasses

import pytest
from tests.unit.operator.storekit import NAMESPACE, MemoryKube, converged, deps, make_pass, store, with_adapters

from storefleet_operator.adapters.kube import KubeError
from storefleet_operator.models import Reason
from storefleet_operator.store.actions import ensure_namespace
from storefleet_operator.store.actions.ensure_namespace import EnsureNamespace
from storefleet_operator.store.context import StepFailed
from storefleet_operator.store.snapshot import NamespaceState

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("engine", "level"),
    [pytest.param("woocommerce", "baseline", id="woo"), pytest.param("medusa", "restricted", id="medusa")],
)
async def test_creates_the_namespace_with_store_and_pod_security_labels(engine: str, level: str) -> None:
    kube = MemoryKube()
    p = make_pass(converged(store(engine=engine), namespace_state=NamespaceState.ABSENT))
    await EnsureNamespace().run(p, with_adapters(deps(), kube))
    labels = kube.namespaces[NAMESPACE]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == level
    assert labels["storefleet.io/store"] == "shop"
    assert labels["storefleet.io/store-namespace"] == "tenant-alice"
    assert labels["storefleet.io/tenant"] == "alice"
    assert labels["storefleet.io/engine"] == engine
    assert labels["app.kubernetes.io/managed-by"] == "storefleet"
    assert p.status.namespace == NAMESPACE
    assert p.status.phase == "Provisioning"
    [event] = p.events
    assert event.reason == Reason.PROVISIONING and NAMESPACE in event.message


async def test_relabels_its_own_namespace_when_the_level_changed() -> None:
    kube = MemoryKube()
    kube.namespaces[NAMESPACE] = ensure_namespace.manifest(NAMESPACE, {"pod-security.kubernetes.io/enforce": "x"})
    p = make_pass(converged(namespace_state=NamespaceState.OURS_OUTDATED))
    await EnsureNamespace().run(p, with_adapters(deps(), kube))
    assert kube.namespaces[NAMESPACE]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "baseline"
    assert "Relabelled" in p.events[0].message


async def test_an_api_error_is_a_step_failure_naming_the_namespace() -> None:
    kube = MemoryKube()
    kube.fail = KubeError("create namespace: 403 forbidden", 403)
    p = make_pass(dataclasses.replace(converged(), namespace_state=NamespaceState.ABSENT))
    with pytest.raises(StepFailed) as failed:
        await EnsureNamespace().run(p, with_adapters(deps(), kube))
    assert (failed.value.step, failed.value.reason) == ("create-namespace", Reason.NAMESPACE_FAILED)
    assert NAMESPACE in failed.value.message and "403" in failed.value.message
