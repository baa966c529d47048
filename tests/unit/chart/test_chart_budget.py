"""The store fits its own ResourceQuota and LimitRange, in every environment profile.

A store that does not fit fails only at admission time, one pod at a time (a surge pod of a rolling
update, or the `helm test` pod, rejected with "exceeded quota"). These checks catch that at render time.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

import pytest
from tests.unit.chart.chartkit import Obj, containers, named, of_kind, pod_spec, quantity, scenario, workloads

pytestmark = pytest.mark.unit

PROFILES = ["default", "local", "vps"]
ENGINES = [("woocommerce", False), ("medusa", False), ("medusa", True)]
ENGINE_IDS = ["woocommerce", "medusa", "medusa-storefront"]


def pod_usage(obj: Obj) -> dict[str, Fraction]:
    """What admission charges one pod: the larger of the containers' sum and the largest init container."""
    spec = pod_spec(obj)
    usage: dict[str, Fraction] = {}
    for section in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            key = f"{section}.{resource}"
            main = sum((quantity(c["resources"][section][resource]) for c in spec["containers"]), Fraction(0))
            init = max(
                (quantity(c["resources"][section][resource]) for c in spec.get("initContainers", [])),
                default=Fraction(0),
            )
            usage[key] = max(main, init)
    return usage


def peak_pods(obj: Obj) -> int:
    """Pods a workload can run at once: replicas, plus the surge of a rolling update."""
    replicas = int(obj["spec"].get("replicas", 1))
    strategy = obj["spec"].get("strategy", {})
    surge = int(strategy.get("rollingUpdate", {}).get("maxSurge", 0)) if strategy.get("type") == "RollingUpdate" else 0
    return replicas + surge


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(("engine", "storefront"), ENGINES, ids=ENGINE_IDS)
def test_store_fits_its_quota_during_a_rollout_and_a_helm_test(engine: str, storefront: bool, profile: str) -> None:
    objs = scenario(engine, storefront, profile)
    hard = {k: quantity(v) for k, v in named(objs, "ResourceQuota", "shop-quota")["spec"]["hard"].items()}
    total: defaultdict[str, Fraction] = defaultdict(Fraction)
    pods = 0
    for workload in [*workloads(objs), *of_kind(objs, "Pod")]:
        count = peak_pods(workload) if workload["kind"] != "Pod" else 1
        pods += count
        for key, value in pod_usage(workload).items():
            total[key] += value * count
    for key, used in total.items():
        assert used <= hard[key], f"{key}: {float(used):g} needed at peak, quota {float(hard[key]):g}"
    assert pods <= hard["pods"]
    assert len(of_kind(objs, "Service")) <= hard["services"]
    claims = [pvc["spec"] for pvc in of_kind(objs, "PersistentVolumeClaim")]
    claims += [t["spec"] for s in of_kind(objs, "StatefulSet") for t in s["spec"]["volumeClaimTemplates"]]
    assert len(claims) <= hard["persistentvolumeclaims"]
    storage = sum((quantity(c["resources"]["requests"]["storage"]) for c in claims), Fraction(0))
    assert storage <= hard["requests.storage"]


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(("engine", "storefront"), ENGINES, ids=ENGINE_IDS)
def test_every_container_and_volume_is_within_the_limit_range(engine: str, storefront: bool, profile: str) -> None:
    objs = scenario(engine, storefront, profile)
    limits = {item["type"]: item for item in named(objs, "LimitRange", "shop-limits")["spec"]["limits"]}
    bounds = limits["Container"]
    for c in containers(objs):
        for resource in ("cpu", "memory"):
            request = quantity(c.spec["resources"]["requests"][resource])
            limit = quantity(c.spec["resources"]["limits"][resource])
            assert request <= limit, f"{c.id} {resource}"
            assert quantity(bounds["min"][resource]) <= request, f"{c.id} {resource} request below min"
            assert limit <= quantity(bounds["max"][resource]), f"{c.id} {resource} limit above max"
    pvc_bounds = limits["PersistentVolumeClaim"]
    claims = [pvc["spec"] for pvc in of_kind(objs, "PersistentVolumeClaim")]
    claims += [t["spec"] for s in of_kind(objs, "StatefulSet") for t in s["spec"]["volumeClaimTemplates"]]
    for claim in claims:
        size = quantity(claim["resources"]["requests"]["storage"])
        assert quantity(pvc_bounds["min"]["storage"]) <= size <= quantity(pvc_bounds["max"]["storage"])


def test_limit_range_defaults_fit_within_its_own_bounds() -> None:
    # The apiserver refuses a LimitRange whose default is above max or below min.
    for profile in PROFILES:
        (container,) = [
            i
            for i in named(scenario("woocommerce", False, profile), "LimitRange", "shop-limits")["spec"]["limits"]
            if i["type"] == "Container"
        ]
        for resource in ("cpu", "memory"):
            low, high = quantity(container["min"][resource]), quantity(container["max"][resource])
            assert low <= quantity(container["defaultRequest"][resource]) <= quantity(container["default"][resource])
            assert quantity(container["default"][resource]) <= high, profile


def test_predecessor_quota_numbers_are_the_defaults() -> None:
    hard = named(scenario("woocommerce", False, "default"), "ResourceQuota", "shop-quota")["spec"]["hard"]
    assert hard == {
        "requests.cpu": "1",
        "requests.memory": "1Gi",
        "limits.cpu": "2",
        "limits.memory": "2Gi",
        "persistentvolumeclaims": "5",
        "requests.storage": "10Gi",
        "pods": "10",
        "services": "5",
    }
