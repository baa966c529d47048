"""Fleet benchmark: the operator's throughput with a large backlog, then what a large idle fleet costs it.

One operator process, as deployed (the platform's defaults), on the local control plane with kwok:

1. a burst of ``STOREFLEET_FLEET_SMALL`` Stores (default 100), timed to all Ready;
2. with those still there, a burst of ``STOREFLEET_FLEET_N`` more (default 300; the issue's figure is
   1000, which takes about an hour here), timed the same way. Its throughput is compared with the
   small burst's: a backlog must not slow the operator down, and queued stores must cost ~nothing;
3. the whole fleet idle for ``IDLE_SECONDS``: the operator's CPU (share of one core) and its RSS, also
   measured after the small burst, which gives the memory each idle store adds;
4. a spec change to a few idle stores, one at a time: seconds until the operator acted on it (a
   condition carries the new generation) and until the store was Ready at the new generation;
5. the provisioning benchmark's direct baseline (``bench_baseline.py``: namespace, Secret, helm
   ``--wait`` and setup, no operator) for ``STOREFLEET_FLEET_SMALL`` stores, once before any Store exists
   and once beside the whole Ready fleet with the operator stopped (its orphan sweep would take the
   baseline's namespaces for leftovers). What a large fleet costs the control plane by itself, which
   the operator's backlog burst pays too, is the ratio of the two.

Prints one table; the targets it is read against are in the README's Performance section. The only
assertions are that every store became Ready and every change was acted on: a timed assertion would
fail on a slow machine, not on slow code.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from kubernetes import client
from tests.cluster.operator.storeops import new_tenant_namespace
from tests.perf.conftest import BASELINE_NAMESPACE_PREFIX
from tests.perf.procstats import cpu_seconds, peak_rss_kib, status_kib, total_cpu_seconds
from tests.perf.test_provisioning_benchmark import (
    CONCURRENCY,
    api_requests,
    report_requests,
    run_baseline,
    store_manifests,
    summary,
    wait_all_ready,
)

from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.platform import OperatorProcess
from storefleet_operator import contract

pytestmark = pytest.mark.perf

SMALL = int(os.environ.get("STOREFLEET_FLEET_SMALL", "100"))
LARGE = int(os.environ.get("STOREFLEET_FLEET_N", "300"))
IDLE_SECONDS = 60
SETTLE_SECONDS = 30
"""After the last Ready, before idle is measured: the last stores' final passes and writes."""
SPEC_CHANGES = 5
MERGE_PATCH = "application/merge-patch+json"


def burst(cluster: LocalCluster, operator: OperatorProcess, prefix: str, n: int) -> tuple[str, dict[str, float]]:
    """``n`` new Stores applied at once in a fresh tenant namespace: the namespace, times to Ready and costs."""
    api = cluster.api_client()
    try:
        assert operator.pid is not None
        namespace = new_tenant_namespace(cluster, prefix=f"fleet{prefix}")
        names = [f"{prefix}{i:04d}" for i in range(n)]
        components = cluster.component_pids()
        cpu_before, cluster_before = cpu_seconds(operator.pid), total_cpu_seconds(components)
        watcher_before = cpu_seconds("self")
        each_before = {name: total_cpu_seconds({name: pid}) for name, pid in components.items()}
        requests_before = api_requests(api)
        started = datetime.now(UTC)
        items = store_manifests(namespace, names)
        cluster.kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
        ready = wait_all_ready(api, namespace, names, started)
        assert len(ready) == n, f"only {len(ready)} of {n} stores became Ready"
        cpu = cpu_seconds(operator.pid) - cpu_before
        cluster_cpu = total_cpu_seconds(components) - cluster_before
        result = summary(list(ready.values()), max(ready.values()), peak_rss_kib(operator.pid), cpu, cluster_cpu)
        result["watcher_cpu_per_store"] = (cpu_seconds("self") - watcher_before) / n  # this process, watching
        for name, pid in components.items():  # which component a larger fleet makes work harder
            result[f"component:{name}"] = (total_cpu_seconds({name: pid}) - each_before[name]) / n
        requests = api_requests(api) - requests_before
        result["api_requests_per_store"] = requests.total() / n
        report_requests(f"operator, burst of {n}", requests, n)
        return namespace, result
    finally:
        api.close()


def idle(cluster: LocalCluster, operator: OperatorProcess) -> dict[str, float]:
    """The operator's CPU share of one core over IDLE_SECONDS with nothing to do, and its RSS then; and
    the control plane's share, which a larger fleet of Ready stores takes from the next burst."""
    assert operator.pid is not None
    components = cluster.component_pids()
    time.sleep(SETTLE_SECONDS)
    before, cluster_before = cpu_seconds(operator.pid), total_cpu_seconds(components)
    time.sleep(IDLE_SECONDS)
    return {
        "cpu_share": (cpu_seconds(operator.pid) - before) / IDLE_SECONDS,
        "cluster_cpu_share": (total_cpu_seconds(components) - cluster_before) / IDLE_SECONDS,
        "rss_mib": status_kib(operator.pid, "VmRSS") / 1024,
        "peak_rss_mib": peak_rss_kib(operator.pid) / 1024,
    }


def carries_generation(status: dict[str, Any], generation: int) -> bool:
    return any(c.get("observedGeneration") == generation for c in status.get("conditions") or [])


def ready_at(status: dict[str, Any], generation: int) -> bool:
    return status.get("phase") == "Ready" and any(
        c.get("type") == "Ready" and c.get("status") == "True" and c.get("observedGeneration") == generation
        for c in status.get("conditions") or []
    )


def spec_change(cluster: LocalCluster, namespace: str, name: str, timeout: float = 120) -> tuple[float, float]:
    """Change one idle store's display name; seconds until the operator acted on it, and until Ready again."""
    api = cluster.api_client()
    custom = client.CustomObjectsApi(api)
    try:
        patched: dict[str, Any] = custom.patch_namespaced_custom_object(
            contract.GROUP, contract.VERSION, namespace, contract.STORES, name,
            {"spec": {"displayName": f"Renamed {name} {time.time_ns()}"}}, _content_type=MERGE_PATCH,
        )  # fmt: skip
        started = time.monotonic()
        generation = int(patched["metadata"]["generation"])
        acted = None
        deadline = started + timeout
        while time.monotonic() < deadline:
            found: dict[str, Any] = custom.get_namespaced_custom_object(
                contract.GROUP, contract.VERSION, namespace, contract.STORES, name
            )
            status = found.get("status") or {}
            now = time.monotonic() - started
            if acted is None and carries_generation(status, generation):
                acted = now
            if ready_at(status, generation):
                return acted if acted is not None else now, now
            time.sleep(0.05)
        raise AssertionError(f"store {namespace}/{name} was not Ready at generation {generation} after {timeout} s")
    finally:
        api.close()


@pytest.mark.timeout(1200 + 60 * (3 * SMALL + LARGE))
def test_backlog_throughput_and_idle_fleet(clean_fleet: LocalCluster) -> None:
    direct_empty = run_baseline(clean_fleet, SMALL, f"{BASELINE_NAMESPACE_PREFIX}e")  # gone when it returns
    print(f"\ndirect baseline, {SMALL} stores, empty cluster: {json.dumps(direct_empty)}", flush=True)
    env = {"STOREFLEET_OPERATOR_MAX_CONCURRENT_PROVISIONS": str(CONCURRENCY)}
    operator = OperatorProcess(clean_fleet, env=env)
    operator.start()
    try:
        _, small = burst(clean_fleet, operator, "a", SMALL)
        small_idle = idle(clean_fleet, operator)  # the same measures with the small fleet, for the slope
        print(f"\nburst of {SMALL}: {json.dumps(small)}, then idle: {json.dumps(small_idle)}", flush=True)
        namespace, large = burst(clean_fleet, operator, "b", LARGE)
        print(f"\nburst of {LARGE}: {json.dumps(large)}", flush=True)
        quiet = idle(clean_fleet, operator)
        names = [f"b{i:04d}" for i in range(0, LARGE, max(1, LARGE // SPEC_CHANGES))][:SPEC_CHANGES]
        changes = [spec_change(clean_fleet, namespace, name) for name in names]
    finally:
        operator.stop()
    direct_fleet = run_baseline(clean_fleet, SMALL, f"{BASELINE_NAMESPACE_PREFIX}f")
    acted, again_ready = [c[0] for c in changes], [c[1] for c in changes]
    print(f"\nFleet benchmark: bursts of {SMALL} then {LARGE} more (half WooCommerce, half Medusa), "
          f"concurrency {CONCURRENCY}, then {SMALL + LARGE} Ready stores idle")  # fmt: skip
    print(f"{'':30}{f'{SMALL}':>10}{f'+{LARGE}':>10}{'ratio':>8}")
    for label, key in [
        ("throughput (stores/min)", "throughput"),
        ("time-to-Ready p50 (s)", "p50"),
        ("time-to-Ready p95 (s)", "p95"),
        ("operator CPU per store (s)", "cpu_per_store"),
        ("control plane CPU/store (s)", "cluster_cpu_per_store"),
        ("API requests per store", "api_requests_per_store"),
        ("benchmark's own CPU/store (s)", "watcher_cpu_per_store"),
    ]:
        print(f"{label:30}{small[key]:>10.1f}{large[key]:>10.1f}{large[key] / small[key]:>8.2f}")
        if key == "cluster_cpu_per_store":
            for component in sorted(k for k in small if k.startswith("component:")):
                before, after = small[component], large.get(component, 0.0)
                ratio = f"{after / before:>8.2f}" if before else f"{'-':>8}"
                print(f"{'... ' + component.split(':', 1)[1]:30}{before:>10.2f}{after:>10.2f}{ratio}")
    direct, fleet = f"direct baseline, {SMALL} stores", f"by {SMALL + LARGE}"
    print(f"{direct:30}{'empty':>10}{fleet:>10}{'ratio':>8}")
    for label, key in [("throughput", "throughput"), ("control plane CPU/store", "cluster_cpu_per_store")]:
        print(f"{'... ' + label:30}{direct_empty[key]:>10.1f}{direct_fleet[key]:>10.1f}"
              f"{direct_fleet[key] / direct_empty[key]:>8.2f}")  # fmt: skip
    own = (large["throughput"] / small["throughput"]) / (direct_fleet["throughput"] / direct_empty["throughput"])
    print(f"backlog throughput ratio over the direct one's  {own:.2f} (1: the fleet slows the operator no more "
          f"than it slows the cluster)")  # fmt: skip
    print(f"idle operator CPU (% of a core)  {100 * quiet['cpu_share']:.2f} ({100 * small_idle['cpu_share']:.2f} "
          f"with {SMALL} stores)")  # fmt: skip
    print(f"idle control plane CPU (% of a core) {100 * quiet['cluster_cpu_share']:.1f} "
          f"({100 * small_idle['cluster_cpu_share']:.1f} with {SMALL} stores)")  # fmt: skip
    print(f"idle operator RSS (MiB)          {quiet['rss_mib']:.1f} ({small_idle['rss_mib']:.1f} with {SMALL} stores; "
          f"peak {quiet['peak_rss_mib']:.1f})")  # fmt: skip
    per_store = (quiet["rss_mib"] - small_idle["rss_mib"]) * 1024 / LARGE
    print(f"... per idle store (KiB)         {per_store:.1f}")
    print(f"spec change acted on after (s)   median {statistics.median(acted):.2f}, max {max(acted):.2f}")
    print(f"... Ready again after (s)        median {statistics.median(again_ready):.2f}, max {max(again_ready):.2f}")
    assert len(changes) == min(SPEC_CHANGES, LARGE)
