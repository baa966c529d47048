"""Engine setup through the real exec API on the local control plane.

A real kube-apiserver streams each exec (WebSocket, v5 channel protocol) to kwok, which runs the
recording simulators from deploy/localcluster/fakebin in a per-pod directory. WordPress and Medusa
images never run here, so what is asserted is the command traffic: exact commands, order, pod,
container, and that passwords travel on stdin (by hash) and never in argv.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from storefleet_localcluster.cluster import LocalCluster
from storefleet_operator.adapters.execs import KubernetesExecutor, PodNotFound, find_ready_pod
from storefleet_operator.engines import (
    MEDUSA_TARGET,
    WOOCOMMERCE_TARGET,
    AdminCredentials,
    EngineSetupError,
    PodRef,
    RetryPolicy,
    SetupContext,
    StepProgress,
    StepState,
    recipe_for,
    run_recipe,
)
from storefleet_operator.engines.medusa import admin_document

pytestmark = pytest.mark.cluster

FAST = RetryPolicy(attempts=3, base_delay=0.05, max_delay=0.2)
PASSWORD = 'kw0k-"pw"$(id)`x`;,=\\ü'
CHANGING = [
    ("wp", "core", "install"),
    ("wp", "plugin", "install"),
    ("wp", "plugin", "activate"),
    ("wp", "theme", "install"),
    ("wp", "theme", "activate"),
    ("wp", "wc", "shipping_zone_method", "create"),
    ("wp", "wc", "product", "create"),
]


def context(display_name: str = "Kwok Shop") -> SetupContext:
    admin = AdminCredentials(username="owner", email="owner@kwok.test", password=PASSWORD)
    return SetupContext(display_name=display_name, site_url="http://kwok-shop.store.test", admin=admin)


def start_pod(cluster: LocalCluster, namespace: str, name: str, component: str, containers: list[str]) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/name": "shop", "app.kubernetes.io/component": component},
        },
        # Images never run on kwok; the names only document what would run on a real node.
        "spec": {"containers": [{"name": c, "image": f"example.invalid/{c}:never-pulled"} for c in containers]},
    }
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump(pod))


def wait_exec_ready(cluster: LocalCluster, namespace: str, name: str, timeout: float = 60.0) -> None:
    """Wait until the pod is Ready and the exec shim has given it a kwok Exec (else: "no exec found")."""
    cluster.kubectl("wait", "--for=condition=Ready", f"pod/{name}", "-n", namespace, f"--timeout={int(timeout)}s")
    deadline = time.monotonic() + timeout
    while cluster.kubectl("get", "execs.kwok.x-k8s.io", name, "-n", namespace, check=False).returncode != 0:
        assert time.monotonic() < deadline, f"no kwok Exec for pod {namespace}/{name}"
        time.sleep(0.2)


def records(cluster: LocalCluster, namespace: str) -> list[dict[str, Any]]:
    return [r for r in cluster.exec_records() if r["namespace"] == namespace]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def faults(cluster: LocalCluster) -> Iterator[list[dict[str, Any]]]:
    """Fault rules for this test, merged into the session's faults.json and removed afterwards."""
    path: Path = cluster.run_dir / "faults.json"
    mine: list[dict[str, Any]] = []

    def write(rules: list[dict[str, Any]]) -> None:
        path.write_text(json.dumps(rules))

    original = json.loads(path.read_text()) if path.exists() else []
    try:
        yield mine
    finally:
        current = json.loads(path.read_text()) if path.exists() else original
        write([rule for rule in current if rule not in mine])


def add_faults(cluster: LocalCluster, mine: list[dict[str, Any]], *rules: dict[str, Any]) -> None:
    path = cluster.run_dir / "faults.json"
    current = json.loads(path.read_text()) if path.exists() else []
    mine.extend(rules)
    path.write_text(json.dumps([*current, *rules]))


async def test_woocommerce_setup_runs_in_the_wp_cli_sidecar(cluster: LocalCluster, namespace: str) -> None:
    start_pod(cluster, namespace, "shop-wordpress-0", "wordpress", ["wordpress", "wp-cli"])
    start_pod(cluster, namespace, "shop-mariadb-0", "database", ["mariadb"])
    wait_exec_ready(cluster, namespace, "shop-wordpress-0")
    recipe = recipe_for("woocommerce", context())
    with cluster.api_client() as api:
        pod = await find_ready_pod(api, namespace, WOOCOMMERCE_TARGET.selector)
        assert pod == PodRef(namespace, "shop-wordpress-0")
        await run_recipe(recipe.steps, KubernetesExecutor(api), set(), lambda _: None, pod=pod, policy=FAST)

    first = records(cluster, namespace)
    # On a fresh store every probe says "not done yet" (exit 1 or nothing listed), then the step runs.
    expected = [
        (list(argv), role)
        for s in recipe.steps
        for argv, role in (((s.probe.argv, "probe"),) if s.probe else ()) + ((s.argv, "step"),)
    ]
    assert [r["argv"] for r in first] == [argv for argv, _ in expected]
    assert {(r["pod"], r["container"]) for r in first} == {("shop-wordpress-0", "wp-cli")}
    assert all(r["exit"] == 0 for r, (_, role) in zip(first, expected, strict=True) if role == "step")
    [install] = [r for r in first if r["argv"][:3] == ["wp", "core", "install"]]
    assert install["stdin_sha256"] == sha256(PASSWORD + "\n")
    assert all(PASSWORD not in arg for r in first for arg in r["argv"])
    assert [r["stdin_sha256"] for r in first if r is not install] == [None] * (len(first) - 1)


async def test_woocommerce_setup_twice_changes_nothing_the_second_time(cluster: LocalCluster, namespace: str) -> None:
    start_pod(cluster, namespace, "shop-wordpress-0", "wordpress", ["wordpress", "wp-cli"])
    wait_exec_ready(cluster, namespace, "shop-wordpress-0")
    steps = recipe_for("woocommerce", context()).steps
    pod = PodRef(namespace, "shop-wordpress-0")
    with cluster.api_client() as api:
        executor = KubernetesExecutor(api)
    await run_recipe(steps, executor, set(), lambda _: None, pod=pod, policy=FAST)
    seen = len(records(cluster, namespace))
    events: list[StepProgress] = []

    await run_recipe(steps, executor, set(), events.append, pod=pod, policy=FAST)

    second = [tuple(r["argv"]) for r in records(cluster, namespace)[seen:]]
    for prefix in CHANGING:
        assert not [argv for argv in second if argv[: len(prefix)] == prefix], f"{prefix} ran again"
    skipped = {e.step for e in events if e.state is StepState.SKIPPED}
    assert skipped == {s.name for s in steps if s.probe}
    listed = await executor.exec(
        pod, "wp-cli", ("wp", "post", "list", "--post_type=product", "--name=sample-product", "--field=ID"), None, 30
    )
    assert len(listed.stdout.split()) == 1, "one sample product, not two"


async def test_medusa_setup_runs_in_the_medusa_container(cluster: LocalCluster, namespace: str) -> None:
    start_pod(cluster, namespace, "shop-medusa-7d9f", "medusa", ["medusa"])
    start_pod(cluster, namespace, "shop-postgres-0", "database", ["postgres"])
    wait_exec_ready(cluster, namespace, "shop-medusa-7d9f")
    ctx = context(display_name='--name "Kwok" $(Shop); `x`')
    recipe = recipe_for("medusa", ctx)
    with cluster.api_client() as api:
        pod = await find_ready_pod(api, namespace, MEDUSA_TARGET.selector)
        executor = KubernetesExecutor(api)

    await run_recipe(recipe.steps, executor, set(), lambda _: None, pod=pod, policy=FAST)
    await run_recipe(recipe.steps, executor, set(), lambda _: None, pod=pod, policy=FAST)

    rows = records(cluster, namespace)
    assert [r["argv"] for r in rows] == [list(s.argv) for s in recipe.steps] * 2
    assert {(r["pod"], r["container"]) for r in rows} == {("shop-medusa-7d9f", "medusa")}
    admins = [r for r in rows if r["argv"] == ["storefleet-medusa", "ensure-admin"]]
    assert [r["stdin_sha256"] for r in admins] == [sha256(admin_document(ctx))] * 2
    assert all(r["exit"] == 0 for r in rows)
    assert all(PASSWORD not in arg for r in rows for arg in r["argv"])
    state = json.loads((cluster.run_dir / "state" / namespace / "state.json").read_text())["storefleet-medusa"]
    assert list(state["admins"]) == ["owner@kwok.test"], "the second run found the admin and made no other"
    assert state["store_name"] == ctx.display_name


async def test_selecting_by_app_name_would_hit_the_database_pod_and_is_refused(
    cluster: LocalCluster, namespace: str
) -> None:
    start_pod(cluster, namespace, "shop-medusa-7d9f", "medusa", ["medusa"])
    start_pod(cluster, namespace, "shop-postgres-0", "database", ["postgres"])
    cluster.kubectl("wait", "--for=condition=Ready", "pod", "--all", "-n", namespace, "--timeout=60s")
    with cluster.api_client() as api, pytest.raises(PodNotFound, match="matches database pod shop-postgres-0"):
        await find_ready_pod(api, namespace, "app.kubernetes.io/name=shop")


async def test_a_step_failing_fewer_times_than_the_bound_is_retried_to_success(
    cluster: LocalCluster, namespace: str, faults: list[dict[str, Any]]
) -> None:
    start_pod(cluster, namespace, "shop-wordpress-0", "wordpress", ["wordpress", "wp-cli"])
    wait_exec_ready(cluster, namespace, "shop-wordpress-0")
    add_faults(
        cluster,
        faults,
        {
            "namespace": namespace,
            "argv_prefix": ["wp", "plugin", "install"],
            "exit": 1,
            "stderr": "Error: Download failed. Could not resolve host.\n",
            "times": 2,
        },
    )
    steps = recipe_for("woocommerce", context()).steps[:3]  # up to install-woocommerce
    events: list[StepProgress] = []

    with cluster.api_client() as api:
        executor = KubernetesExecutor(api)
    await run_recipe(steps, executor, set(), events.append, pod=PodRef(namespace, "shop-wordpress-0"), policy=FAST)

    installs = [r["exit"] for r in records(cluster, namespace) if r["argv"][:3] == ["wp", "plugin", "install"]]
    assert installs == [1, 1, 0]
    states = [e.state for e in events if e.step == "install-woocommerce"]
    assert states == [StepState.STARTED, StepState.RETRYING, StepState.RETRYING, StepState.SUCCEEDED]


async def test_a_step_failing_more_than_the_bound_stops_setup_with_a_typed_error(
    cluster: LocalCluster, namespace: str, faults: list[dict[str, Any]]
) -> None:
    start_pod(cluster, namespace, "shop-wordpress-0", "wordpress", ["wordpress", "wp-cli"])
    wait_exec_ready(cluster, namespace, "shop-wordpress-0")
    add_faults(
        cluster,
        faults,
        {
            "namespace": namespace,
            "argv_prefix": ["wp", "plugin", "install"],
            "exit": 1,
            "stderr": "Error: Download failed. Could not resolve host.\n",
            "times": 10,
        },
    )
    steps = recipe_for("woocommerce", context()).steps

    with cluster.api_client() as api:
        executor = KubernetesExecutor(api)
    with pytest.raises(EngineSetupError) as caught:
        await run_recipe(steps, executor, set(), lambda _: None, pod=PodRef(namespace, "shop-wordpress-0"), policy=FAST)

    error = caught.value
    assert (error.step, error.exit_code, error.attempts) == ("install-woocommerce", 1, 3)
    assert "Installing WooCommerce 9.5.2" in str(error) and "Could not resolve host" in str(error)
    ran = [r["argv"][:3] for r in records(cluster, namespace)]
    assert ran.count(["wp", "plugin", "install"]) == 3
    assert ["wp", "plugin", "activate"] not in ran, "setup stops at the failed step"
