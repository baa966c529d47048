"""Provisioning benchmark: N stores at once through the operator, against a baseline that runs the same
helm install (--wait) and the same setup commands directly at the same concurrency.

Prints, for both and as operator/baseline ratios: time-to-Ready p50/p95, throughput, peak RSS (VmHWM of
the operator process, or of the baseline process), CPU per store (helm included), the control plane's
CPU per store (etcd, kube-apiserver, kwok and the rest, from /proc) and API requests per store (from the
API server's /metrics, with the busiest kinds). Request counts are what timing noise leaves alone; the
control plane's CPU is not, as kwok's CPU per store varied by 10% between runs of the same side.
``STOREFLEET_BENCH_N`` sets N (default 20), ``STOREFLEET_BENCH_ROUNDS`` how many times each side runs
(default 3, taking turns); the concurrency is the operator's default provisioning limit. Images never
run (kwok), so the figures measure the control plane work: API calls, helm, exec
round trips, and the operator's own overhead.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException
from tests.cluster.operator.storeops import new_tenant_namespace, status_of, wait_gone
from tests.perf.conftest import BASELINE_NAMESPACE_PREFIX, delete_namespaces
from tests.perf.procstats import cpu_seconds, peak_rss_kib, total_cpu_seconds

from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.platform import OperatorProcess
from storefleet_operator import contract
from storefleet_operator.settings import OperatorSettings

pytestmark = pytest.mark.perf

N = int(os.environ.get("STOREFLEET_BENCH_N", "20"))
CONCURRENCY = int(
    os.environ.get("STOREFLEET_BENCH_CONCURRENCY", OperatorSettings.model_fields["max_concurrent_provisions"].default)
)
"""The operator's default provisioning limit unless STOREFLEET_BENCH_CONCURRENCY says (to find the best one)."""
BASELINE = Path(__file__).with_name("bench_baseline.py")
ROUNDS = int(os.environ.get("STOREFLEET_BENCH_ROUNDS", "3"))
"""Operator and baseline take turns this many times, the order alternating, and the table gives the median
of the rounds' ratios. Single runs of either side spread by about ±0.15 here; most of it is kwok's CPU per
store, which varied by 10% between two runs of the same side."""
if ROUNDS < 1:
    raise ValueError(f"STOREFLEET_BENCH_ROUNDS must be 1 or more (each side runs that many times), not {ROUNDS}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summary(durations: list[float], total: float, rss: int, cpu: float, cluster_cpu: float) -> dict[str, float]:
    return {
        "p50": statistics.median(durations),
        "p95": percentile(durations, 0.95),
        "throughput": len(durations) / total * 60,
        "total": total,
        "rss_mib": rss / 1024,
        "cpu": cpu,
        "cpu_per_store": cpu / len(durations),
        "cluster_cpu_per_store": cluster_cpu / len(durations),
    }


_REQUEST_LINE = re.compile(r"^apiserver_request_total\{([^}]*)\} (\S+)$")


def api_requests(api: client.ApiClient) -> Counter[str]:
    """The API server's request count so far per ``VERB resource[/subresource]``, from its /metrics."""
    method, url, headers, _, _ = api.param_serialize(
        method="GET", resource_path="/metrics", header_params={"Accept": "text/plain"}, auth_settings=["BearerToken"]
    )
    response = api.call_api(method, url, header_params=headers, _request_timeout=60)
    assert response.status == 200, f"GET /metrics: {response.status} {response.reason}"
    counts: Counter[str] = Counter()
    for line in response.read().decode().splitlines():
        found = _REQUEST_LINE.match(line)
        if found is None:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', found.group(1)))
        what = labels.get("resource", "") + (f"/{labels['subresource']}" if labels.get("subresource") else "")
        counts[f"{labels.get('verb', '?')} {what or '-'}"] += int(float(found.group(2)))
    return counts


def report_requests(side: str, requests: Counter[str], stores: int = N) -> None:
    busiest = ", ".join(f"{what} {count / stores:.1f}" for what, count in requests.most_common(12))
    print(f"\n{side}'s API requests per store, busiest: {busiest}", flush=True)


def store_manifests(namespace: str, names: list[str]) -> list[dict[str, Any]]:
    """Store manifests for ``names``, alternately WooCommerce and Medusa."""
    return [
        {
            "apiVersion": f"{contract.GROUP}/{contract.VERSION}",
            "kind": "Store",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"engine": "woocommerce" if i % 2 == 0 else "medusa", "displayName": f"Bench {name}"},
        }
        for i, name in enumerate(names)
    ]


def ready_since(item: dict[str, Any]) -> datetime | None:
    """When a Store became Ready, by its Ready condition (written with the operator's clock, this host's)."""
    status = item.get("status") or {}
    if status.get("phase") != "Ready":
        return None
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Ready" and condition.get("status") == "True":
            return datetime.fromisoformat(str(condition["lastTransitionTime"]).replace("Z", "+00:00"))
    return None


def wait_all_ready(api: client.ApiClient, namespace: str, names: list[str], started: datetime) -> dict[str, float]:
    """Seconds from ``started`` until each Store became Ready, from its Ready condition's transition time.

    Followed by a watch of the namespace's Stores, as the operator follows them, so what the benchmark
    costs the API server (and this process, on the same two cores) grows with the status changes of each
    store, not with the size of the burst. It listed every max(2, n/100) s before: each Store was read
    about 80 times in a 100-store burst and 185 times in a 900-store one (37 KB each once Ready), so the
    larger burst paid more per store for being watched. The times come from the conditions either way."""
    custom = client.CustomObjectsApi(api)
    wanted = set(names)
    ready: dict[str, float] = {}

    def note(item: dict[str, Any]) -> None:
        phase = (item.get("status") or {}).get("phase")
        assert phase != "Failed", json.dumps(item.get("status"), indent=1)[:2000]
        since = ready_since(item)
        name = item["metadata"]["name"]
        if since is not None and name in wanted:
            ready.setdefault(name, (since - started).total_seconds())

    deadline = time.monotonic() + 60 + 30 * len(names)
    version: str | None = None
    while len(ready) < len(wanted) and time.monotonic() < deadline:
        if version is None:  # at first, and when the watch's place is too old (410 Gone)
            listing = custom.list_namespaced_custom_object(contract.GROUP, contract.VERSION, namespace, contract.STORES)
            for item in listing["items"]:
                note(item)
            version = listing["metadata"]["resourceVersion"]
            continue
        seconds = max(1, min(60, int(deadline - time.monotonic())))
        stream = watch.Watch().stream(
            custom.list_namespaced_custom_object, contract.GROUP, contract.VERSION, namespace, contract.STORES,
            resource_version=version, allow_watch_bookmarks=True, timeout_seconds=seconds,
            _request_timeout=seconds + 30, deserialize=False,
        )  # fmt: skip
        try:
            for event in stream:
                item = event["object"]  # an ERROR event (410 Gone included) is raised as ApiException
                version = item["metadata"]["resourceVersion"]
                if event["type"] in ("ADDED", "MODIFIED"):
                    note(item)
                if len(ready) == len(wanted):
                    break
        except ApiException as exc:
            if exc.status != 410:
                raise
            version = None
        finally:
            stream.close()
    return ready


def run_operator(cluster: LocalCluster) -> dict[str, float]:
    # The operator as deployed (the platform's defaults), not the cluster tests' quick settings: their
    # 3 s orphan sweep alone read every Store 20 times a minute, a third of the operator's API requests.
    operator = OperatorProcess(cluster, env={"STOREFLEET_OPERATOR_MAX_CONCURRENT_PROVISIONS": str(CONCURRENCY)})
    operator.start()
    api = cluster.api_client()
    try:
        namespace = new_tenant_namespace(cluster, prefix="bench")
        names = [f"s{i:03d}" for i in range(N)]
        manifests = store_manifests(namespace, names)
        assert operator.pid is not None
        components = cluster.component_pids()
        cpu_before, cluster_before = cpu_seconds(operator.pid), total_cpu_seconds(components)
        requests_before = api_requests(api)
        started = datetime.now(UTC)
        cluster.kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": manifests}))
        ready = wait_all_ready(api, namespace, names, started)
        assert len(ready) == N, f"only {len(ready)} of {N} stores became Ready"
        total = max(ready.values())
        cpu = cpu_seconds(operator.pid) - cpu_before
        cluster_cpu = total_cpu_seconds(components) - cluster_before
        result = summary(list(ready.values()), total, peak_rss_kib(operator.pid), cpu, cluster_cpu)
        requests = api_requests(api) - requests_before
        result["api_requests_per_store"] = requests.total() / N
        report_requests("operator", requests)
        cluster.kubectl("delete", "stores", "--all", "-n", namespace, "--wait=false")
        for name in names:
            wait_gone(cluster, namespace, name, timeout=300)
        assert status_of(cluster, namespace, names[0]) == {}
        return result
    finally:
        api.close()
        operator.stop()


def run_baseline(cluster: LocalCluster, n: int = N, prefix: str = BASELINE_NAMESPACE_PREFIX) -> dict[str, float]:
    """``bench_baseline.py`` for ``n`` stores in namespaces ``<prefix>b000``...; then deletes them and waits
    until they are gone, so whatever runs next measures an empty cluster."""
    components = cluster.component_pids()
    cluster_before = total_cpu_seconds(components)
    api = cluster.api_client()
    requests_before = api_requests(api)
    out = subprocess.run(
        [
            sys.executable,
            str(BASELINE),
            "--n",
            str(n),
            "--concurrency",
            str(CONCURRENCY),
            "--kubeconfig",
            str(cluster.kubeconfig),
            "--helm",
            str(cluster.bin_dir / "helm"),
            "--prefix",
            prefix,
        ],
        capture_output=True,
        text=True,
        timeout=300 + 60 * n,
        check=False,
        env=cluster.env(),
    )
    cluster_cpu = total_cpu_seconds(components) - cluster_before
    requests = api_requests(api) - requests_before
    try:
        delete_namespaces(client.CoreV1Api(api), [f"{prefix}b{i:03d}" for i in range(n)])
    finally:
        api.close()
    assert out.returncode == 0, out.stderr[-4000:]
    result: dict[str, Any] = json.loads(out.stdout)
    measured = summary(result["durations"], result["total"], result["peak_rss_kib"], result["cpu_seconds"], cluster_cpu)
    measured["api_requests_per_store"] = requests.total() / n
    report_requests(f"baseline, {n} stores", requests, n)
    return measured


@pytest.mark.timeout(600 + 150 * N * ROUNDS)
def test_operator_against_direct_helm_and_exec(clean_fleet: LocalCluster) -> None:
    rounds: list[tuple[dict[str, float], dict[str, float]]] = []
    for r in range(ROUNDS):
        prefix = f"{BASELINE_NAMESPACE_PREFIX}{r}-"
        if r % 2 == 0:
            operator = run_operator(clean_fleet)
            baseline = run_baseline(clean_fleet, N, prefix)
        else:
            baseline = run_baseline(clean_fleet, N, prefix)
            operator = run_operator(clean_fleet)
        print(f"\nround {r + 1}: operator {json.dumps(operator)}\nbaseline {json.dumps(baseline)}", flush=True)
        rounds.append((operator, baseline))
    rows = [
        ("time-to-Ready p50 (s)", "p50"),
        ("time-to-Ready p95 (s)", "p95"),
        ("all Ready after (s)", "total"),
        ("throughput (stores/min)", "throughput"),
        ("peak RSS (MiB)", "rss_mib"),
        ("CPU per store (s, helm in)", "cpu_per_store"),
        ("control plane CPU/store (s)", "cluster_cpu_per_store"),
        ("API requests per store", "api_requests_per_store"),
    ]
    print(f"\nProvisioning benchmark: {N} stores (half WooCommerce, half Medusa), concurrency {CONCURRENCY}, "
          f"{ROUNDS} rounds; medians, and each round's ratio")  # fmt: skip
    print(f"{'':28}{'operator':>10}{'baseline':>10}{'ratio':>8}  rounds")
    for label, key in rows:
        ratios = [o[key] / b[key] if b[key] else float("nan") for o, b in rounds]
        mine, theirs = statistics.median(o[key] for o, _ in rounds), statistics.median(b[key] for _, b in rounds)
        each = " ".join(f"{ratio:.2f}" for ratio in ratios)
        print(f"{label:28}{mine:>10.1f}{theirs:>10.1f}{statistics.median(ratios):>8.2f}  {each}")
    assert all(o["throughput"] > 0 and b["throughput"] > 0 for o, b in rounds)
