"""Crashes and restarts: the operator SIGKILLed mid-provisioning, kube-apiserver restarted, the gateway
killed mid-create, a Helm install killed half way. Every store converges; nothing is half-made."""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from kubernetes import client
from kubernetes import watch as kwatch
from tests.chaos.chaoskit import ChaosPlatform, random_pause, say
from tests.support import wait_for

from storefleet_operator import contract, naming

pytestmark = pytest.mark.chaos
READY_TIMEOUT = 300.0


def phases(platform: ChaosPlatform, namespace: str) -> dict[str, str]:
    return {
        key.split("/")[1]: (store.get("status") or {}).get("phase", "-")
        for key, store in platform.stores().items()
        if key.startswith(f"{namespace}/")
    }


def wait_all_ready(platform: ChaosPlatform, namespace: str, names: list[str], timeout: float = READY_TIMEOUT) -> None:
    def ready() -> bool:
        now = phases(platform, namespace)
        return all(now.get(name) == "Ready" for name in names)

    try:
        wait_for(ready, f"{len(names)} stores in {namespace} to be Ready", timeout=timeout, interval=1.0)
    except AssertionError:
        say(f"phases when the wait ended: {phases(platform, namespace)}")
        raise


def ever_failed(store: dict[str, object]) -> list[str]:
    """The history entries of a store that say it went to Failed."""
    status = store.get("status") or {}
    assert isinstance(status, dict)
    return [str(h.get("message")) for h in status.get("history") or [] if h.get("phase") == "Failed"]


def test_twenty_stores_survive_five_operator_sigkills(chaos: ChaosPlatform) -> None:
    _, tenant = chaos.new_tenant(store_limit=25)
    namespace = naming.tenant_namespace(tenant)
    names = [f"kill-{i:02d}" for i in range(20)]
    for name in names:
        assert chaos.kubectl_store("create", namespace, name) == 0
    for kill in range(5):
        random_pause(1.0, 6.0)
        before = phases(chaos, namespace)
        chaos.operator.kill()
        counts = {p: list(before.values()).count(p) for p in sorted(set(before.values()))}
        say(f"SIGKILL #{kill + 1} of the operator with stores {counts}")
        chaos.operator.start()
    wait_all_ready(chaos, namespace, names)
    stores = {k.split("/")[1]: s for k, s in chaos.stores().items() if k.startswith(f"{namespace}/")}
    store_namespaces = [ns["metadata"]["labels"][contract.LABEL_STORE] for ns in chaos.store_namespaces(namespace)]
    releases = {name: chaos.helm_releases(naming.store_namespace(namespace, name)) for name in names}
    failed = {name: ever_failed(stores[name]) for name in names if ever_failed(stores[name])}
    say(
        f"after 5 kills: {sum(1 for n in names if stores[n]['status']['phase'] == 'Ready')}/20 Ready, "
        f"{len(store_namespaces)} store namespaces, releases per store {sorted({len(r) for r in releases.values()})}, "
        f"stores ever Failed: {failed or 'none'}"
    )
    assert sorted(store_namespaces) == sorted(names), "one namespace per store, no duplicates"
    assert all(len(r) == 1 and r[0]["status"] == "deployed" for r in releases.values()), releases
    assert failed == {}
    for name in names:
        chaos.kubectl_store("delete", namespace, name)
    wait_for(lambda: not chaos.store_namespaces(namespace), "the killed-operator stores to be deleted", timeout=180)


def test_a_kube_apiserver_restart_mid_provisioning_converges_and_the_gateway_says_503(chaos: ChaosPlatform) -> None:
    tenant_api, tenant = chaos.new_tenant(store_limit=6)
    namespace = naming.tenant_namespace(tenant)
    names = [f"api-restart-{i}" for i in range(4)]
    for name in names:
        assert tenant_api.create(name).status_code == 202
    wait_for(lambda: "Provisioning" in phases(chaos, namespace).values(), "a store to be provisioning", timeout=60)
    say(f"stopping kube-apiserver with stores {phases(chaos, namespace)}")
    chaos.cluster.stop_component("kube-apiserver")
    answers: list[tuple[int, str | None]] = []
    try:
        for _ in range(3):
            for call in (lambda: tenant_api.request("GET", "/stores"), lambda: tenant_api.create("while-down")):
                response = call()
                answers.append((response.status_code, response.headers.get("retry-after")))
            time.sleep(1)
    finally:
        chaos.cluster.start_component("kube-apiserver")
    say(f"the gateway answered while kube-apiserver was away: {answers}")
    assert all(status == 503 and retry_after for status, retry_after in answers), answers
    wait_all_ready(chaos, namespace, names)
    stores = {k.split("/")[1]: s for k, s in chaos.stores().items() if k.startswith(f"{namespace}/")}
    assert "while-down" not in stores
    say(f"after the restart: {phases(chaos, namespace)}")
    for name in names:
        assert tenant_api.delete(name).status_code == 202
    wait_for(lambda: not chaos.store_namespaces(namespace), "the restart stores to be deleted", timeout=180)


def test_a_gateway_killed_mid_create_leaves_whole_stores_or_none(chaos: ChaosPlatform) -> None:
    tenant_api, tenant = chaos.new_tenant(store_limit=25)
    namespace = naming.tenant_namespace(tenant)
    answers: dict[str, str] = {}
    lock = threading.Lock()
    dead = threading.Event()

    def keep_creating(worker: int) -> None:
        """Create stores one after another until the gateway is gone, so some are in flight at the kill."""
        for turn in range(6):
            name = f"gw-kill-{worker}-{turn}-{uuid.uuid4().hex[:3]}"
            try:
                status = str(tenant_api.create(name).status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            with lock:
                answers[name] = status
            if dead.is_set():
                return

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(keep_creating, w) for w in range(4)]
        random_pause(0.3, 1.2)
        chaos.gateway.kill()
        dead.set()
        for future in futures:
            future.result()
    chaos.gateway.start()
    stores = {k.split("/")[1]: s for k, s in chaos.stores().items() if k.startswith(f"{namespace}/")}
    made = [n for n in answers if n in stores]
    cut = {n: a for n, a in answers.items() if a not in ("202", "ConnectError")}
    say(
        f"gateway SIGKILLed mid-create: {len(answers)} creates sent, {sum(a == '202' for a in answers.values())} "
        f"answered 202, {len(cut)} cut off by the kill ({sorted(set(cut.values()))}, of which "
        f"{sum(n in stores for n in cut)} exist), {len(made)} stores exist"
    )
    assert all(n in stores for n, a in answers.items() if a == "202"), "every accepted store exists"
    assert not any(n in stores for n, a in answers.items() if a == "ConnectError"), "a refused create made nothing"
    for name in made:  # a Store that exists is whole: finalizer and requester from the start
        meta = stores[name]["metadata"]
        assert contract.FINALIZER in meta.get("finalizers", []), meta
        assert "storefleet.io/requested-by" in meta.get("annotations", {}), meta
    wait_all_ready(chaos, namespace, made)
    labelled = {ns["metadata"]["labels"][contract.LABEL_STORE] for ns in chaos.store_namespaces(namespace)}
    assert labelled == set(made), "no namespace for a store that was never made"
    for name in made:
        tenant_api.delete(name)
    wait_for(lambda: not chaos.store_namespaces(namespace), "the gateway-kill stores to be deleted", timeout=180)


def kill_when_pending(chaos: ChaosPlatform, namespace: str, release: str, timeout: float = 30.0) -> bool:
    """Watch helm's release records in ``namespace``; SIGKILL the operator when one says pending-install
    (True), or anyway after ``timeout`` (False)."""
    core = client.CoreV1Api(chaos.cluster.api_client())
    watch = kwatch.Watch()
    try:
        for event in watch.stream(
            core.list_namespaced_secret,
            namespace,
            label_selector=f"owner=helm,name={release}",
            timeout_seconds=int(timeout),
        ):
            if (event["object"].metadata.labels or {}).get("status") == "pending-install":
                chaos.operator.kill()
                return True
    finally:
        watch.stop()
    chaos.operator.kill()
    return False


def test_a_helm_install_killed_half_way_is_unlocked_and_completed(chaos: ChaosPlatform) -> None:
    _, tenant = chaos.new_tenant(store_limit=6)
    namespace = naming.tenant_namespace(tenant)
    for attempt in range(5):
        name = f"helm-kill-{attempt}"
        release_ns = naming.store_namespace(namespace, name)
        assert chaos.kubectl_store("create", namespace, name) == 0

        def installing(name: str = name) -> bool:
            status = (chaos.stores().get(f"{namespace}/{name}") or {}).get("status") or {}
            steps = {s["name"]: s["state"] for s in status.get("steps") or []}
            return steps.get("helm-release") == "Running"

        wait_for(installing, f"{name} to start its helm install", timeout=120, interval=0.05)
        # helm records the release as pending-install before it makes the chart's objects: kill the
        # operator (and helm in its process group) the moment that record appears.
        if kill_when_pending(chaos, release_ns, name):
            say(f"attempt {attempt + 1}: helm's pending-install record of {name} seen; operator SIGKILLed")
        history = chaos.cluster.helm("history", name, "-n", release_ns, "-o", "json", check=False)
        left = [r["status"] for r in json.loads(history.stdout or "[]")] if history.returncode == 0 else []
        say(f"attempt {attempt + 1}: SIGKILL during helm install of {name} left the release {left or 'absent'}")
        chaos.operator.start()
        if left and left[-1].startswith("pending"):
            break
        wait_all_ready(chaos, namespace, [name])
    else:
        pytest.fail("five kills during helm install never left a pending release; the test proved nothing")
    wait_all_ready(chaos, namespace, [name])
    events = chaos.kubectl_json(
        "get", "events", "-n", namespace, "--field-selector", f"involvedObject.name={name}", "-o", "json"
    )["items"]
    reasons = [e["reason"] for e in events]
    history = chaos.cluster.helm("history", name, "-n", release_ns, "-o", "json")
    final = [r["status"] for r in json.loads(history.stdout)]
    say(
        f"after the restart: {name} Ready, release history {final}, events include ReleaseUnlocked: "
        f"{'ReleaseUnlocked' in reasons}"
    )
    assert "ReleaseUnlocked" in reasons
    assert final[-1] == "deployed"
    assert not ever_failed(chaos.stores()[f"{namespace}/{name}"])
