"""Store reconciliation by the real operator (its own ServiceAccount, not admin) on the local control
plane: both engines from Requested to Ready, the status contract, Events, printer columns, metrics and
logs; a spec change upgrading the release; deletion from Ready and mid-provisioning.

Container images never run here: kwok makes the pods Ready and answers exec with the recording
simulators, so the setup commands are asserted as recorded (pod, container, argv, stdin hash).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.cluster.operator.storeops import (
    condition,
    create_store,
    delete_all_stores,
    events_of,
    exec_records,
    get_store,
    helm_history,
    new_tenant_namespace,
    secret_value,
    status_of,
    store_namespace,
    wait_gone,
    wait_ready,
)
from tests.cluster.operator_support import OperatorProcess
from tests.support import wait_for

from storefleet_localcluster.cluster import LocalCluster
from storefleet_operator.engines import AdminCredentials, SetupContext, recipe_for
from storefleet_operator.engines.medusa import admin_document

pytestmark = pytest.mark.cluster

HOSTILE_NAME = 'Bob\'s "Café", engine=medusa $(id) ☕'
REQUEST_ID = "req-7f3a9c"


@pytest.fixture(scope="module")
def shops(operator: OperatorProcess) -> Iterator[str]:
    """One tenant namespace with a WooCommerce and a Medusa store, created at once and left Ready."""
    cluster = operator.cluster
    namespace = new_tenant_namespace(cluster)
    create_store(
        cluster,
        "woo",
        namespace,
        "woocommerce",
        HOSTILE_NAME,
        woocommerce={"theme": "astra"},
        annotations={"storefleet.io/request-id": REQUEST_ID},
    )
    create_store(cluster, "med", namespace, "medusa", "Medusa Shop")
    wait_ready(cluster, namespace, "woo", "med")
    yield namespace
    delete_all_stores(cluster, namespace)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def expected_commands(
    cluster: LocalCluster, namespace: str, name: str, engine: str, display_name: str, theme: str = "storefront"
) -> tuple[list[list[str]], dict[str, str]]:
    """The argv sequence a fresh store's setup runs (each probe, then its step) and stdin hashes by step."""
    ns = store_namespace(namespace, name)
    secret = f"{name}-credentials"
    admin = AdminCredentials(
        secret_value(cluster, ns, secret, "admin-username"),
        secret_value(cluster, ns, secret, "admin-email"),
        secret_value(cluster, ns, secret, "admin-password"),
    )
    url = status_of(cluster, namespace, name)["url"]
    recipe = recipe_for(engine, SetupContext(display_name, url, admin, theme=theme, baked=False))  # type: ignore[arg-type]
    argvs = [list(argv) for step in recipe.steps for argv in ((step.probe.argv,) if step.probe else ()) + (step.argv,)]
    stdin = (
        {"install-wordpress-core": sha256(admin.password + "\n")}
        if engine == "woocommerce"
        else {"ensure-admin-user": sha256(admin_document(SetupContext(display_name, url, admin)))}
    )
    return argvs, stdin


def pod_of(cluster: LocalCluster, namespace: str, component: str) -> str:
    out = cluster.kubectl(
        "get",
        "pods",
        "-n",
        namespace,
        "-l",
        f"app.kubernetes.io/component={component}",
        "-o",
        "jsonpath={.items[*].metadata.name}",
    )
    [pod] = out.stdout.split()
    return pod


@pytest.mark.parametrize(
    ("name", "engine", "display_name", "theme", "component", "container"),
    [
        pytest.param("woo", "woocommerce", HOSTILE_NAME, "astra", "wordpress", "wp-cli", id="woocommerce"),
        pytest.param("med", "medusa", "Medusa Shop", "storefront", "medusa", "medusa", id="medusa"),
    ],
)
def test_setup_runs_the_exact_commands_in_the_app_pod_with_secrets_on_stdin_only(
    operator: OperatorProcess,
    shops: str,
    name: str,
    engine: str,
    display_name: str,
    theme: str,
    component: str,
    container: str,
) -> None:
    cluster = operator.cluster
    ns = store_namespace(shops, name)
    records = exec_records(cluster, ns)
    argvs, stdin = expected_commands(cluster, shops, name, engine, display_name, theme)
    assert [r["argv"] for r in records] == argvs
    assert {(r["pod"], r["container"]) for r in records} == {(pod_of(cluster, ns, component), container)}
    password = secret_value(cluster, ns, f"{name}-credentials", "admin-password")
    assert all(password not in arg for r in records for arg in r["argv"])
    with_stdin = [r for r in records if r["stdin_sha256"]]
    assert [r["stdin_sha256"] for r in with_stdin] == list(stdin.values())
    if engine == "woocommerce":
        assert f"--title={display_name}" in with_stdin[0]["argv"]  # the hostile name is one argv element


@pytest.mark.parametrize(
    ("name", "engine", "security", "storefront"),
    [
        pytest.param("woo", "woocommerce", "baseline", None, id="woocommerce"),
        pytest.param("med", "medusa", "restricted", True, id="medusa"),
    ],
)
def test_status_follows_the_contract(
    operator: OperatorProcess, shops: str, name: str, engine: str, security: str, storefront: bool | None
) -> None:
    cluster = operator.cluster
    store = get_store(cluster, shops, name)
    assert store is not None
    status: dict[str, Any] = store["status"]
    tenant = shops.removeprefix("tenant-")
    ns = store_namespace(shops, name)
    url = f"http://{name}-{tenant}.localhost"
    assert status["phase"] == "Ready"
    assert status["observedGeneration"] == store["metadata"]["generation"]
    assert {c["type"]: (c["status"], c["reason"]) for c in status["conditions"]} == {
        "Ready": ("True", "Succeeded"),
        "Released": ("True", "InstallSucceeded"),
        "EngineConfigured": ("True", "EngineConfigured"),
        "Simulated": ("True", "SimulatedNode"),  # kwok is the only node here
    }
    assert (status["url"], status["adminUrl"]) == (url, f"{url}/{'wp-admin' if engine == 'woocommerce' else 'admin'}/")
    assert status.get("storefrontUrl") == (url if storefront else None)
    assert status["namespace"] == ns
    assert status["release"] == {"name": name, "revision": 1, "chart": "ecommerce-store-0.1.0"}
    assert status["credentialsSecret"] == f"{name}-credentials"
    assert [h["phase"] for h in status["history"]] == ["Requested", "Provisioning", "Ready"]
    steps = {s["name"]: s for s in status["steps"]}
    for step in ("create-namespace", "create-credentials", "helm-release", "wait-for-rollout", "publish-urls"):
        assert steps[step]["state"] == "Succeeded", steps[step]
        assert steps[step]["startedAt"] and steps[step]["durationMs"] >= 0
    assert set(status["setup"]["completedSteps"]) <= set(steps)
    assert status["failures"] == 0 and "queue" not in status
    labels = json.loads(cluster.kubectl("get", "namespace", ns, "-o", "json").stdout)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == security
    assert (labels["storefleet.io/tenant"], labels["storefleet.io/store"], labels["storefleet.io/engine"]) == (
        tenant,
        name,
        engine,
    )
    assert labels["app.kubernetes.io/managed-by"] == "storefleet"


def test_the_owner_reads_exactly_the_credentials_secret(operator: OperatorProcess, shops: str) -> None:
    cluster, ns = operator.cluster, store_namespace(shops, "woo")
    who = f"system:serviceaccount:{shops}:storefleet-tenant"
    can = cluster.kubectl("auth", "can-i", "get", "secret/woo-credentials", "-n", ns, "--as", who, check=False)
    assert can.stdout.strip() == "yes"
    for verb, what in (("list", "secrets"), ("get", "secret/sh.helm.release.v1.woo.v1")):
        denied = cluster.kubectl("auth", "can-i", verb, what, "-n", ns, "--as", who, check=False)
        assert denied.stdout.strip() == "no", (verb, what)
    keys = json.loads(cluster.kubectl("get", "secret", "woo-credentials", "-n", ns, "-o", "json").stdout)["data"]
    assert set(keys) == {
        "admin-username",
        "admin-email",
        "admin-password",
        "database-password",
        "database-root-password",
    }


def test_every_transition_is_an_event_with_the_request_id(operator: OperatorProcess, shops: str) -> None:
    events = events_of(operator.cluster, shops, "woo")
    reasons = [e["reason"] for e in events]
    for reason in (
        "Accepted",
        "Provisioning",
        "Installing",
        "InstallSucceeded",
        "ConfiguringEngine",
        "EngineConfigured",
        "Succeeded",
    ):
        assert reason in reasons
    assert all(e["type"] == "Normal" for e in events)
    assert all(f"[request {REQUEST_ID}]" in e["message"] for e in events)
    assert not any(f"request {REQUEST_ID}" in e["message"] for e in events_of(operator.cluster, shops, "med"))


def test_kubectl_shows_the_printer_columns(operator: OperatorProcess, shops: str) -> None:
    out = operator.cluster.kubectl("get", "stores", "-n", shops, "-o", "wide").stdout.splitlines()
    assert out[0].split() == [
        "NAME", "ENGINE", "PHASE", "READY", "URL", "SIMULATED", "AGE", "STORE-NAMESPACE", "REASON",
    ]  # fmt: skip
    rows = {line.split()[0]: line.split() for line in out[1:]}
    tenant = shops.removeprefix("tenant-")
    # Only a kwok node here: every store's pods are scheduled on it, so every store is simulated.
    assert rows["woo"][1:6] == ["woocommerce", "Ready", "True", f"http://woo-{tenant}.localhost", "true"]
    assert rows["med"][5] == "true"
    assert rows["med"][7:] == [store_namespace(shops, "med"), "Succeeded"]


@pytest.mark.parametrize("name", ["woo", "med"])
def test_with_only_a_kwok_node_every_store_is_simulated(operator: OperatorProcess, shops: str, name: str) -> None:
    """The flag comes from the node the pods landed on (kwok here), not from the engine."""
    status = status_of(operator.cluster, shops, name)
    assert status["simulated"] is True
    simulated = condition(status, "Simulated")
    assert (simulated["status"], simulated["reason"]) == ("True", "SimulatedNode")
    assert "pods run on a simulated node; nothing is served" in simulated["message"]
    assert "(simulated: pods run on a simulated node; nothing is served)" in condition(status, "Ready")["message"]
    [event] = [e for e in events_of(operator.cluster, shops, name) if e["reason"] == "SimulatedNode"]
    assert "nothing is served" in event["message"]
    described = operator.cluster.kubectl("describe", "store", name, "-n", shops).stdout
    assert "pods run on a simulated node; nothing is served" in described


def test_metrics_and_json_logs(operator: OperatorProcess, shops: str) -> None:
    metrics = operator.metrics()
    assert 'storefleet_stores{engine="woocommerce",phase="Ready"}' in metrics
    assert 'storefleet_provisioning_duration_seconds_count{engine="medusa"}' in metrics
    assert 'storefleet_step_duration_seconds_count{engine="woocommerce",step="helm-release"}' in metrics
    assert "storefleet_provisioning_queue_depth 0.0" in metrics
    assert "storefleet_provisioning_in_flight" in metrics
    lines = [json.loads(line) for line in operator.logs().splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("store") == f"{shops}/woo"]
    assert mine, "no log line carries the store"
    assert all(line.get("tenant") == shops.removeprefix("tenant-") for line in mine)
    assert any(line.get("correlation_id") == REQUEST_ID for line in mine)


def test_a_spec_change_upgrades_the_release_and_reruns_setup(operator: OperatorProcess, shops: str) -> None:
    cluster = operator.cluster
    ns = store_namespace(shops, "med")
    seen = len(exec_records(cluster, ns))
    cluster.kubectl(
        "patch",
        "store",
        "med",
        "-n",
        shops,
        "--type=merge",
        "-p",
        json.dumps({"spec": {"displayName": "Medusa Shop II"}}),
    )
    wait_for(lambda: status_of(cluster, shops, "med").get("observedGeneration") == 2, "generation 2 observed")
    wait_ready(cluster, shops, "med")
    status = status_of(cluster, shops, "med")
    assert status["release"]["revision"] == 2
    assert condition(status, "Released")["reason"] == "UpgradeSucceeded"
    assert [r["status"] for r in helm_history(cluster, ns, "med")] == ["superseded", "deployed"]
    upgraded = [e for e in events_of(cluster, shops, "med") if e["reason"] == "Upgrading"]
    assert any("to apply generation 2 of the spec" in e["message"] for e in upgraded)
    rerun = [r["argv"] for r in exec_records(cluster, ns)[seen:]]
    assert ["storefleet-medusa", "set-store-name", "--name", "Medusa Shop II"] in rerun


def test_deleting_a_ready_store_leaves_nothing_behind(operator: OperatorProcess, shops: str) -> None:
    cluster = operator.cluster
    ns = store_namespace(shops, "woo")
    cluster.kubectl("delete", "store", "woo", "-n", shops, "--wait=false")
    wait_gone(cluster, shops, "woo")
    assert cluster.kubectl("get", "namespace", ns, check=False).returncode != 0
    releases = json.loads(cluster.helm("list", "-A", "-a", "-o", "json").stdout)
    assert not [r for r in releases if r["namespace"] == ns]
    leftovers = cluster.kubectl("get", "pvc,secrets,pv", "-A", "-o", "json").stdout
    assert ns not in leftovers


def test_deleting_mid_provisioning_cancels_it_and_leaves_nothing_behind(operator: OperatorProcess) -> None:
    cluster = operator.cluster
    namespace = new_tenant_namespace(cluster)
    ns = store_namespace(namespace, "early")
    create_store(cluster, "early", namespace, "woocommerce", "Cancelled Shop")
    wait_for(lambda: bool(helm_history(cluster, ns, "early")), "the release to exist", timeout=60, interval=0.1)
    assert condition(status_of(cluster, namespace, "early"), "Ready").get("status") != "True"
    cluster.kubectl("delete", "store", "early", "-n", namespace, "--wait=false")
    wait_gone(cluster, namespace, "early", timeout=120)
    assert cluster.kubectl("get", "namespace", ns, check=False).returncode != 0
    releases = json.loads(cluster.helm("list", "-A", "-a", "-o", "json").stdout)
    assert not [r for r in releases if r["namespace"] == ns]
    assert ns not in cluster.kubectl("get", "pvc,pv", "-A", "-o", "json").stdout
    cluster.kubectl("delete", "namespace", namespace, "--wait=false")
