"""Per-engine scheduling: every pod of an engine carries that engine's nodeSelector/tolerations/affinity.

values-realnode.yaml uses it to run Medusa on the real node and pin WooCommerce to the simulated (kwok)
node (the labels and taint of storefleet_localcluster.nodekinds); the operator then reads where the pods
landed to mark a store simulated.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.chart.chartkit import CHART, PROFILES, of_kind, operator_values, pod_spec, render, workloads

from storefleet_localcluster import nodekinds

pytestmark = pytest.mark.unit

REALNODE = (*PROFILES["local"], CHART / "values-realnode.yaml")


def pods(engine: str, files: tuple[Any, ...], **extra: Any) -> list[dict[str, Any]]:
    storefront = engine == "medusa"
    objs = render(operator_values(engine, storefront=storefront, host=None, **extra), files)
    return [pod_spec(o) for o in [*workloads(objs), *of_kind(objs, "Pod")]]


@pytest.mark.parametrize("engine", ["woocommerce", "medusa"])
def test_by_default_pods_go_wherever_the_scheduler_puts_them(engine: str) -> None:
    for spec in pods(engine, PROFILES["local"]):
        assert "nodeSelector" not in spec and "tolerations" not in spec and "affinity" not in spec


def test_on_the_real_node_setup_woocommerce_pods_are_pinned_to_the_simulated_node() -> None:
    specs = pods("woocommerce", REALNODE)
    assert len(specs) == 3  # wordpress, mariadb, the helm test pod
    for spec in specs:
        assert spec["nodeSelector"] == nodekinds.simulated_node_selector()
        assert spec["tolerations"] == [nodekinds.simulated_toleration()]


def test_on_the_real_node_setup_medusa_pods_only_run_on_real_nodes() -> None:
    specs = pods("medusa", REALNODE)
    assert len(specs) == 4  # medusa, postgres, storefront, the helm test pod
    for spec in specs:
        assert spec["nodeSelector"] == nodekinds.real_node_selector()
        assert "tolerations" not in spec


def test_one_engines_scheduling_never_leaks_into_the_other() -> None:
    extra = {"woocommerce": {"scheduling": {"nodeSelector": {"disk": "ssd"}}}}
    for spec in pods("medusa", PROFILES["local"], **extra):
        assert "nodeSelector" not in spec


def test_affinity_is_passed_through() -> None:
    affinity = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}}
    for spec in pods("medusa", PROFILES["local"], medusa={"scheduling": {"affinity": affinity}}):
        assert spec["affinity"] == affinity


def claims_classes(engine: str, files: tuple[Any, ...], **extra: Any) -> set[str | None]:
    objs = render(operator_values(engine, storefront=False, host=None, **extra), files)
    templates = [t for o in of_kind(objs, "StatefulSet") for t in o["spec"].get("volumeClaimTemplates", [])]
    return {c["spec"].get("storageClassName") for c in [*of_kind(objs, "PersistentVolumeClaim"), *templates]}


def test_on_the_real_node_setup_woocommerce_volumes_come_from_kwok_and_medusas_from_the_default_class() -> None:
    assert claims_classes("woocommerce", REALNODE) == {"kwok-volume"}
    assert claims_classes("medusa", REALNODE) == {None}


def test_an_engine_storage_class_overrides_the_global_one() -> None:
    extra = {"global": {"storageClass": "fast"}}
    assert claims_classes("medusa", PROFILES["local"], **extra) == {"fast"}
    assert claims_classes("medusa", PROFILES["local"], medusa={"storageClass": "slow"}, **extra) == {"slow"}
