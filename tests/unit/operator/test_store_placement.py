"""A store is simulated when its pods landed on a simulated (kwok) node — a fact read from the nodes,
never guessed from the engine — and `kubectl get stores`, the Ready message and an Event say so."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.operator.storekit import (
    T0,
    Clock,
    MemoryKube,
    conditions_of,
    converged,
    deps,
    make_pass,
    store,
    with_adapters,
)

from storefleet_localcluster import nodekinds
from storefleet_operator.adapters.kube import KubeError
from storefleet_operator.models import Reason, StoreStatus
from storefleet_operator.store import placement
from storefleet_operator.store.actions import mark_ready
from storefleet_operator.store.decide import WaitRollout

pytestmark = pytest.mark.unit

KWOK = {"metadata": {"name": "kwok-node", "annotations": {"kwok.x-k8s.io/node": "fake"}}}
LABELLED_SIMULATED = {"metadata": {"name": "sim", "labels": {"storefleet.io/node-kind": "simulated"}}}
REAL = {"metadata": {"name": "host", "labels": {"storefleet.io/node-kind": "real"}}}
PLAIN = {"metadata": {"name": "worker-1", "labels": {"kubernetes.io/os": "linux"}}}


@pytest.mark.parametrize(
    ("node", "simulated"),
    [
        pytest.param(KWOK, True, id="kwok-annotation"),
        pytest.param(LABELLED_SIMULATED, True, id="node-kind-simulated"),
        pytest.param(REAL, False, id="node-kind-real"),
        pytest.param(PLAIN, False, id="ordinary-node"),
        pytest.param({}, False, id="empty-object"),
    ],
)
def test_which_nodes_count_as_simulated(node: dict[str, Any], simulated: bool) -> None:
    assert placement.is_simulated_node(node) is simulated


@pytest.mark.parametrize(
    ("nodes", "expected"),
    [
        pytest.param({}, None, id="nothing-scheduled-claims-nothing"),
        pytest.param({"host": REAL}, False, id="all-real"),
        pytest.param({"kwok-node": KWOK}, True, id="all-simulated"),
        pytest.param({"host": REAL, "kwok-node": KWOK}, True, id="one-simulated-pod-is-enough"),
        pytest.param({"gone": None}, False, id="unreadable-node-is-no-evidence"),
    ],
)
def test_placement_of_a_store(nodes: dict[str, Any], expected: bool | None) -> None:
    found = placement.placement(nodes)
    assert (None if found is None else found.simulated) is expected


def test_the_operator_reads_the_labels_the_local_cluster_puts_on_its_nodes() -> None:
    assert placement.NODE_KIND_LABEL == nodekinds.NODE_KIND_LABEL
    assert placement.SIMULATED_KIND == nodekinds.SIMULATED
    assert placement.is_simulated_node({"metadata": {"labels": nodekinds.simulated_node_selector()}})
    assert not placement.is_simulated_node({"metadata": {"labels": nodekinds.real_node_selector()}})


def test_node_names_skip_unscheduled_pods_and_repeat_none() -> None:
    pods = [{"spec": {"nodeName": "b"}}, {"spec": {"nodeName": "a"}}, {"spec": {"nodeName": "b"}}, {"spec": {}}]
    assert placement.node_names(pods) == ["a", "b"]


def pod(name: str, node: str, release: str = "shop") -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": {"app.kubernetes.io/instance": release}}, "spec": {"nodeName": node}}


def rolled_out() -> Any:
    return make_pass(converged(store(status={"release": {"name": "shop", "revision": 1}}), released=False))


async def run_with(kube: MemoryKube) -> Any:
    p = rolled_out()
    await WaitRollout().run(p, with_adapters(deps(clock=Clock(T0)), kube))
    return p


async def test_pods_on_the_kwok_node_mark_the_store_simulated_with_one_event() -> None:
    kube = MemoryKube()
    kube.pods = [pod("shop-wordpress-1", "kwok-node"), pod("shop-mariadb-0", "kwok-node"), pod("other", "x", "other")]
    kube.nodes = {"kwok-node": KWOK, "x": REAL}
    p = await run_with(kube)
    assert p.status.simulated is True
    simulated = conditions_of(p.status)["Simulated"]
    assert (simulated.status, simulated.reason) == ("True", Reason.SIMULATED_NODE)
    assert "nothing is served" in simulated.message and "kwok-node" in simulated.message
    [event] = [e for e in p.events if e.reason == Reason.SIMULATED_NODE]
    assert "pods run on a simulated node; nothing is served" in event.message


async def test_pods_on_a_real_node_say_so_without_an_event() -> None:
    kube = MemoryKube()
    kube.pods = [pod("shop-medusa-1", "host"), pod("shop-postgres-0", "host")]
    kube.nodes = {"host": REAL}
    p = await run_with(kube)
    assert p.status.simulated is False
    simulated = conditions_of(p.status)["Simulated"]
    assert (simulated.status, simulated.reason) == ("False", Reason.REAL_NODES)
    assert all(e.reason != Reason.SIMULATED_NODE for e in p.events)


async def test_an_already_simulated_store_is_not_announced_again() -> None:
    kube = MemoryKube()
    kube.pods, kube.nodes = [pod("shop-wordpress-1", "kwok-node")], {"kwok-node": KWOK}
    first = await run_with(kube)
    p = make_pass(
        converged(store(status=first.status.model_dump(by_alias=True, mode="json")), released=False)
    )
    await WaitRollout().run(p, with_adapters(deps(clock=Clock(T0)), kube))
    assert p.status.simulated is True
    assert all(e.reason != Reason.SIMULATED_NODE for e in p.events)


async def test_an_api_error_leaves_the_flag_unset_and_the_rollout_still_succeeds() -> None:
    kube = MemoryKube()
    kube.pods = [pod("shop-wordpress-1", "kwok-node")]
    kube.fail = KubeError("nodes is forbidden", 403)
    p = await run_with(kube)
    assert p.status.simulated is None
    assert "Simulated" not in conditions_of(p.status)
    assert conditions_of(p.status)["Released"].status == "True"


@pytest.mark.parametrize(
    ("simulated", "expected"),
    [
        pytest.param(True, "Store is ready at http://shop.localhost (simulated: pods run on a simulated node; "
                     "nothing is served)", id="simulated"),
        pytest.param(False, "Store is ready at http://shop.localhost", id="real"),
        pytest.param(None, "Store is ready at http://shop.localhost", id="unknown"),
    ],
)
def test_the_ready_message_says_when_nothing_is_served(simulated: bool | None, expected: str) -> None:
    status = StoreStatus(url="http://shop.localhost", simulated=simulated)
    assert mark_ready.ready_message(status) == expected
