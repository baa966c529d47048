"""Provisioning benchmark: N stores at once through the operator, against a baseline that runs the same
helm install (--wait) and the same setup commands directly at the same concurrency.

Prints time-to-Ready p50/p95, throughput and peak RSS (VmHWM of the operator process, or of the baseline
process) for both, and the operator/baseline ratios. ``STOREFLEET_BENCH_N`` sets N (default 20); the
concurrency is the operator's default provisioning limit. Images never run (kwok), so the figures
measure the control plane work: API calls, helm, exec round trips, and the operator's own overhead.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from tests.cluster.operator.storeops import new_tenant_namespace, status_of, wait_gone
from tests.cluster.operator_support import OperatorProcess

from storefleet_localcluster.cluster import LocalCluster
from storefleet_operator.settings import OperatorSettings

pytestmark = pytest.mark.perf

N = int(os.environ.get("STOREFLEET_BENCH_N", "20"))
CONCURRENCY = int(
    os.environ.get("STOREFLEET_BENCH_CONCURRENCY", OperatorSettings.model_fields["max_concurrent_provisions"].default)
)
"""The operator's default provisioning limit unless STOREFLEET_BENCH_CONCURRENCY says (to find the best one)."""
BASELINE = Path(__file__).with_name("bench_baseline.py")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of its children it has waited for (helm runs), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime


def summary(durations: list[float], total: float, rss: int, cpu: float) -> dict[str, float]:
    return {
        "p50": statistics.median(durations),
        "p95": percentile(durations, 0.95),
        "throughput": len(durations) / total * 60,
        "total": total,
        "rss_mib": rss / 1024,
        "cpu": cpu,
        "cpu_per_store": cpu / len(durations),
    }


def run_operator(cluster: LocalCluster) -> dict[str, float]:
    operator = OperatorProcess(cluster, env={"STOREFLEET_OPERATOR_MAX_CONCURRENT_PROVISIONS": str(CONCURRENCY)})
    operator.start()
    api = cluster.api_client()
    try:
        namespace = new_tenant_namespace(cluster, prefix="bench")
        names = [f"s{i:03d}" for i in range(N)]
        manifests = []
        for i, name in enumerate(names):
            engine = "woocommerce" if i % 2 == 0 else "medusa"
            manifests.append(
                {
                    "apiVersion": "storefleet.io/v1alpha1",
                    "kind": "Store",
                    "metadata": {"name": name, "namespace": namespace},
                    "spec": {"engine": engine, "displayName": f"Bench {name}"},
                }
            )
        assert operator.pid is not None
        cpu_before = cpu_seconds(operator.pid)
        started = time.monotonic()
        cluster.kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": manifests}))
        ready: dict[str, float] = {}
        deadline = started + 60 + 30 * N
        # Polled in-process (not with kubectl, whose start-up would steal CPU from the operator).
        custom = client.CustomObjectsApi(api)
        while len(ready) < N and time.monotonic() < deadline:
            items = custom.list_namespaced_custom_object("storefleet.io", "v1alpha1", namespace, "stores")["items"]
            for item in items:
                phase = (item.get("status") or {}).get("phase")
                assert phase != "Failed", json.dumps(item.get("status"), indent=1)[:2000]
                if phase == "Ready" and item["metadata"]["name"] not in ready:
                    ready[item["metadata"]["name"]] = time.monotonic() - started
            time.sleep(0.25)
        assert len(ready) == N, f"only {len(ready)} of {N} stores became Ready"
        total = max(ready.values())
        cpu = cpu_seconds(operator.pid) - cpu_before
        result = summary(list(ready.values()), total, peak_rss_kib(operator.pid), cpu)
        cluster.kubectl("delete", "stores", "--all", "-n", namespace, "--wait=false")
        for name in names:
            wait_gone(cluster, namespace, name, timeout=300)
        assert status_of(cluster, namespace, names[0]) == {}
        return result
    finally:
        api.close()
        operator.stop()


def run_baseline(cluster: LocalCluster) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            str(BASELINE),
            "--n",
            str(N),
            "--concurrency",
            str(CONCURRENCY),
            "--kubeconfig",
            str(cluster.kubeconfig),
            "--helm",
            str(cluster.bin_dir / "helm"),
        ],
        capture_output=True,
        text=True,
        timeout=300 + 60 * N,
        check=False,
        env=cluster.env(),
    )
    assert out.returncode == 0, out.stderr[-4000:]
    result: dict[str, Any] = json.loads(out.stdout)
    for i in range(N):
        cluster.kubectl("delete", "namespace", f"bench-base-b{i:03d}", "--wait=false", check=False)
    return summary(result["durations"], result["total"], result["peak_rss_kib"], result["cpu_seconds"])


@pytest.mark.timeout(600 + 120 * N)
def test_operator_against_direct_helm_and_exec(clean_fleet: LocalCluster) -> None:
    operator = run_operator(clean_fleet)
    print(f"\noperator alone: {json.dumps(operator)}", flush=True)  # kept even if the baseline fails
    baseline = run_baseline(clean_fleet)
    rows = [
        ("time-to-Ready p50 (s)", "p50"),
        ("time-to-Ready p95 (s)", "p95"),
        ("all Ready after (s)", "total"),
        ("throughput (stores/min)", "throughput"),
        ("peak RSS (MiB)", "rss_mib"),
        ("CPU per store (s, helm in)", "cpu_per_store"),
    ]
    print(f"\nProvisioning benchmark: {N} stores (half WooCommerce, half Medusa), concurrency {CONCURRENCY}")
    print(f"{'':26}{'operator':>10}{'baseline':>10}{'ratio':>8}")
    for label, key in rows:
        ratio = operator[key] / baseline[key] if baseline[key] else float("nan")
        print(f"{label:26}{operator[key]:>10.1f}{baseline[key]:>10.1f}{ratio:>8.2f}")
    assert operator["throughput"] > 0 and baseline["throughput"] > 0
