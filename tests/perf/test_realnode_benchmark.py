"""Real-node benchmark: real Medusa stores (PostgreSQL, migrations, seed, storefront) on the real node,
through the operator against the same ``helm upgrade --install --wait`` + setup done directly
(``bench_baseline.py``), at 1 and 5 stores at once; plus the node's (kubelet + containerd) and the
operator's memory.

Owns its cluster: starts a local control plane with the real node (the host-wide lock makes it wait for
any other real node), and removes every store, namespace and volume it made before stopping it.
Prints one table of ratios; asserts only that every store became Ready. Run with ``make perf``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client
from tests.cluster.operator.storeops import new_tenant_namespace, wait_gone
from tests.cluster.operator_support import install_platform
from tests.perf.procstats import cpu_seconds, peak_rss_kib, status_kib, total_cpu_seconds
from tests.perf.test_provisioning_benchmark import summary
from tests.realnode.realstores import REAL_READY_TIMEOUT, REAL_STORE_ENV, VALUES_REALNODE
from tests.support import wait_for

from storefleet_localcluster import images, realnode
from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.platform import OperatorProcess
from storefleet_operator import contract

pytestmark = [pytest.mark.perf, pytest.mark.timeout(7200)]

SIZES = tuple(int(n) for n in os.environ.get("STOREFLEET_REALNODE_BENCH_SIZES", "1,5").split(","))
"""Stores at once; STOREFLEET_REALNODE_BENCH_SIZES=1 measures one store only (5 real Medusa stores
with storefront, twice, take most of an hour on 2 cores)."""
BASELINE = Path(__file__).with_name("bench_baseline.py")
NODE_PROCESSES = ("kubelet", "containerd")


@pytest.fixture(scope="module")
def real_cluster() -> Iterator[tuple[LocalCluster, images.LocalImages]]:
    reason = realnode.unavailable_reason()
    if reason:
        pytest.skip(f"real node benchmark: {reason}")
    built = images.build_local_images(roles=images.MEDUSA_STORE_ROLES)
    cluster = LocalCluster.start(real_node=True, images=tuple(built.archives), sandbox_image=built.ref("pause"))
    try:
        install_platform(cluster, gateway=False)
        yield cluster, built
    finally:
        cluster.discard()  # it left 1.4 GB of tmpfs behind with stop() alone


def node_rss_mib(cluster: LocalCluster) -> float:
    assert cluster.real_node is not None
    return sum(status_kib(p.popen.pid, "VmRSS") for p in cluster.real_node.processes if p.name in NODE_PROCESSES) / 1024


def store(name: str, namespace: str) -> dict[str, object]:
    return {
        "apiVersion": f"{contract.GROUP}/{contract.VERSION}",
        "kind": "Store",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"engine": "medusa", "displayName": f"Bench {name}", "medusa": {"storefront": {"enabled": True}}},
    }


def wait_namespaces_gone(cluster: LocalCluster, prefix: str) -> None:
    def gone() -> bool:
        names = cluster.kubectl("get", "namespaces", "-o", "name").stdout.split()
        return not [n for n in names if n.removeprefix("namespace/").startswith(prefix)]

    wait_for(gone, f"namespaces {prefix}* to be deleted", timeout=REAL_READY_TIMEOUT, interval=2)


def run_operator(cluster: LocalCluster, built: images.LocalImages, n: int) -> dict[str, float]:
    env = {**REAL_STORE_ENV, "STOREFLEET_OPERATOR_MAX_CONCURRENT_PROVISIONS": str(max(SIZES))}
    operator = OperatorProcess(cluster, env, extra_values_files=[built.values_file, VALUES_REALNODE])
    operator.start()
    api = cluster.api_client()
    namespace = new_tenant_namespace(cluster, prefix=f"rb{n}")
    names = [f"s{i}" for i in range(n)]
    try:
        assert operator.pid is not None
        components = cluster.component_pids()
        cpu_before, cluster_before = cpu_seconds(operator.pid), total_cpu_seconds(components)
        started = time.monotonic()
        items = [store(name, namespace) for name in names]
        cluster.kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
        ready: dict[str, float] = {}
        custom = client.CustomObjectsApi(api)
        node_peak = 0.0
        while len(ready) < n and time.monotonic() < started + REAL_READY_TIMEOUT + 120:
            listed = custom.list_namespaced_custom_object(contract.GROUP, contract.VERSION, namespace, contract.STORES)[
                "items"
            ]
            for item in listed:
                phase = (item.get("status") or {}).get("phase")
                assert phase != "Failed", json.dumps(item.get("status"), indent=1)[:2000]
                if phase == "Ready" and item["metadata"]["name"] not in ready:
                    ready[item["metadata"]["name"]] = time.monotonic() - started
            node_peak = max(node_peak, node_rss_mib(cluster))
            time.sleep(1)
        assert len(ready) == n, f"only {len(ready)} of {n} real stores became Ready through the operator"
        cpu, cluster_cpu = cpu_seconds(operator.pid) - cpu_before, total_cpu_seconds(components) - cluster_before
        result = summary(list(ready.values()), max(ready.values()), peak_rss_kib(operator.pid), cpu, cluster_cpu)
        result["node_mib"] = node_peak
        cluster.kubectl("delete", "stores", "--all", "-n", namespace, "--wait=false")
        for name in names:
            wait_gone(cluster, namespace, name, timeout=REAL_READY_TIMEOUT)
        return result
    finally:
        api.close()
        operator.stop()
        cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


def run_baseline(cluster: LocalCluster, built: images.LocalImages, n: int) -> dict[str, float]:
    prefix = f"rb-base{n}-"
    argv = [
        sys.executable, str(BASELINE), "--n", str(n), "--concurrency", str(n), "--engine", "medusa",
        "--kubeconfig", str(cluster.kubeconfig), "--helm", str(cluster.bin_dir / "helm"), "--prefix", prefix,
        "--timeout", str(REAL_READY_TIMEOUT),
        "--values", str(VALUES_REALNODE.with_name("values-local.yaml")), "--values", str(built.values_file),
        "--values", str(VALUES_REALNODE),
    ]  # fmt: skip
    components = cluster.component_pids()
    cluster_before = total_cpu_seconds(components)
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cluster.env())
    node_peak = 0.0
    while process.poll() is None:
        node_peak = max(node_peak, node_rss_mib(cluster))
        time.sleep(1)
    out, err = process.communicate()
    cluster_cpu = total_cpu_seconds(components) - cluster_before
    try:
        assert process.returncode == 0, err[-4000:]
        measured = json.loads(out)
        result = summary(
            measured["durations"], measured["total"], measured["peak_rss_kib"], measured["cpu_seconds"], cluster_cpu
        )
        result["node_mib"] = node_peak
        return result
    finally:
        for i in range(n):
            cluster.kubectl("delete", "namespace", f"{prefix}b{i:03d}", "--wait=false", check=False)
        wait_namespaces_gone(cluster, prefix)


def test_real_medusa_stores_through_the_operator_against_direct_helm_and_setup(
    real_cluster: tuple[LocalCluster, images.LocalImages],
) -> None:
    cluster, built = real_cluster
    rows = [
        ("time-to-Ready p50 (s)", "p50"),
        ("all Ready after (s)", "total"),
        ("peak RSS, operator/baseline (MiB)", "rss_mib"),
        ("CPU per store (s, helm in)", "cpu_per_store"),
        ("control plane CPU/store (s)", "cluster_cpu_per_store"),
        ("node kubelet+containerd (MiB)", "node_mib"),
    ]
    assert cluster.real_node is not None
    lines = [f"\nReal-node benchmark: real Medusa stores with storefront on node {cluster.real_node.name}"]
    lines.append(f"{'':36}{'stores':>7}{'operator':>10}{'baseline':>10}{'ratio':>8}")
    for n in SIZES:
        operator = run_operator(cluster, built, n)
        baseline = run_baseline(cluster, built, n)
        for label, key in rows:
            ratio = operator[key] / baseline[key] if baseline[key] else float("nan")
            lines.append(f"{label:36}{n:>7}{operator[key]:>10.1f}{baseline[key]:>10.1f}{ratio:>8.2f}")
    print("\n".join(lines))
