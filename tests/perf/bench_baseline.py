"""The baseline of the provisioning benchmark: no operator, just what it automates, done directly.

For each store, at a fixed concurrency: namespace (Pod Security labels), credentials Secret,
``helm upgrade --install --wait`` with the same values (as data on stdin), then the same engine setup
recipe through the same exec adapter. Run as its own process (``python tests/perf/bench_baseline.py``)
so its peak RSS is comparable with the operator's; prints one JSON document with the timings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from kubernetes import client, config
from procstats import peak_rss_kib  # beside this file: it runs as a script, not as part of the tests package

from storefleet_operator.adapters.execs import KubernetesExecutor, find_ready_pod
from storefleet_operator.engines import AdminCredentials, RetryPolicy, SetupContext, recipe_for, run_recipe
from storefleet_operator.models import Store
from storefleet_operator.store import credentials, observe
from storefleet_operator.store.values import layered, load_values_files, store_host, store_values

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "helm" / "ecommerce-store"
VALUES_LOCAL = CHART / "values-local.yaml"


async def provision(api: client.ApiClient, args: argparse.Namespace, name: str, engine: str, started: float) -> float:
    helm, kubeconfig, tenant = args.helm, args.kubeconfig, args.tenant
    store = Store.from_body(
        {
            "apiVersion": "storefleet.io/v1alpha1",
            "kind": "Store",
            "metadata": {"name": name, "namespace": tenant},
            "spec": {"engine": engine, "displayName": f"Bench {name}"},
        }
    )
    namespace = f"{args.prefix}{name}"
    level = observe.pod_security_level(engine, "baseline")
    core = client.CoreV1Api(api)
    body = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": namespace, "labels": observe.namespace_labels(store, level)},
    }
    await asyncio.to_thread(core.create_namespace, client.V1Namespace.from_dict(body))
    host = store_host(store, ".localhost")
    secret = credentials.generate_credentials(engine, credentials.admin_email(store, host))  # type: ignore[arg-type]
    manifest = credentials.secret_manifest(store, namespace, secret)
    await asyncio.to_thread(core.create_namespaced_secret, namespace, client.V1Secret.from_dict(manifest))
    files = [Path(v) for v in args.values] or [VALUES_LOCAL]
    values = layered(*load_values_files(files), store_values(store, host=host, baked_images=False))
    process = await asyncio.create_subprocess_exec(
        helm,
        "upgrade",
        name,
        str(CHART),
        "--install",
        "--wait",
        "--timeout",
        f"{args.timeout}s",
        "--namespace",
        namespace,
        "--kubeconfig",
        kubeconfig,
        "--values",
        "-",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate(json.dumps(values).encode())
    if process.returncode != 0:
        raise RuntimeError(f"helm failed for {name}: {err.decode()[-500:]}")
    admin = AdminCredentials(secret["admin-username"], secret["admin-email"], secret["admin-password"])
    recipe = recipe_for(engine, SetupContext(f"Bench {name}", f"http://{host}", admin, baked=False))  # type: ignore[arg-type]
    pod = None
    for _ in range(120):  # the chart's pods are Ready (helm --wait); the exec shim may lag a moment
        try:
            pod = await find_ready_pod(api, namespace, recipe.target.selector)
            break
        except Exception:
            await asyncio.sleep(0.5)
    assert pod is not None, f"no pod for {name}"
    await run_recipe(
        recipe.steps,
        KubernetesExecutor(api),
        (),
        lambda _: None,
        pod=pod,
        policy=RetryPolicy(attempts=3, base_delay=0.5, max_delay=3.0),
    )
    return time.monotonic() - started


async def main(args: argparse.Namespace) -> dict[str, Any]:
    api = config.new_client_from_config(config_file=args.kubeconfig)
    gate = asyncio.Semaphore(args.concurrency)
    cpu_before = sum(os.times()[:4])  # not the interpreter's start-up and imports: the operator's is not counted
    started = time.monotonic()

    async def one(i: int) -> float:
        async with gate:
            engine = args.engine if args.engine != "alternate" else ("woocommerce" if i % 2 == 0 else "medusa")
            return await provision(api, args, f"b{i:03d}", engine, started)

    durations = await asyncio.gather(*(one(i) for i in range(args.n)))
    cpu = os.times()  # children: the helm processes, all waited for by now
    return {
        "durations": list(durations),
        "total": time.monotonic() - started,
        "peak_rss_kib": peak_rss_kib(),
        "cpu_seconds": cpu.user + cpu.system + cpu.children_user + cpu.children_system - cpu_before,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--helm", required=True)
    parser.add_argument("--tenant", default="tenant-bench")
    parser.add_argument("--engine", choices=["alternate", "woocommerce", "medusa"], default="alternate")
    parser.add_argument("--values", action="append", default=[], help="values files (default: values-local.yaml)")
    parser.add_argument("--prefix", default="bench-base-", help="namespace prefix of the stores")
    parser.add_argument("--timeout", type=int, default=300, help="helm --timeout in seconds")
    result = asyncio.run(main(parser.parse_args()))
    json.dump(result, sys.stdout)
