"""Failures, retries and crashes, with the real operator on the local control plane.

- helm refusing the values, and a rollout that never becomes ready, end Failed with Stalled and an
  actionable message; fixing the cause and annotating ``storefleet.io/requested-at`` makes them Ready;
- a failing setup command stalls the store; after the fix, setup resumes at the failed step;
- a SIGKILL mid-provisioning plus a release left in pending-install: the restarted operator unlocks it
  and converges with one revision and without ever marking the store Failed;
- with a provisioning limit of 1, stores wait as Queued and all become Ready.

Pods never run images here: "never ready" is kwok's doing (the kwok.storefleet.io/never-ready pod
annotation, set through the operator's per-store extra chart values).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.cluster.operator.storeops import (
    annotate_retry,
    condition,
    create_store,
    delete_all_stores,
    events_of,
    exec_records,
    helm_history,
    new_tenant_namespace,
    reconfigured,
    set_release_status,
    status_of,
    store_namespace,
    wait_phase,
    wait_ready,
)
from tests.cluster.operator_support import OperatorProcess
from tests.support import wait_for

from storefleet_localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster

NEVER_READY = {"podAnnotations": {"kwok.storefleet.io/never-ready": "true"}}
REJECTED = {"networkPolicy": {"notAValue": True}}  # values.schema.json: additionalProperties false


@pytest.fixture
def tenant_ns(operator: OperatorProcess) -> Iterator[str]:
    namespace = new_tenant_namespace(operator.cluster)
    yield namespace
    delete_all_stores(operator.cluster, namespace)


@pytest.fixture
def faults(operator: OperatorProcess) -> Iterator[list[dict[str, Any]]]:
    """Fault rules for the recording simulators, removed afterwards (see fakebin/README.md)."""
    path: Path = operator.cluster.exec_log.parent / "faults.json"
    mine: list[dict[str, Any]] = []
    yield mine
    current = json.loads(path.read_text()) if path.exists() else []
    path.write_text(json.dumps([rule for rule in current if rule not in mine]))


def add_fault(cluster: LocalCluster, mine: list[dict[str, Any]], rule: dict[str, Any]) -> None:
    path = cluster.exec_log.parent / "faults.json"
    current = json.loads(path.read_text()) if path.exists() else []
    mine.append(rule)
    path.write_text(json.dumps([*current, rule]))


def assert_stalled(status: dict[str, Any], reason: str, *words: str) -> None:
    assert status["phase"] == "Failed"
    stalled, ready = condition(status, "Stalled"), condition(status, "Ready")
    assert (stalled["status"], stalled["reason"]) == ("True", reason)
    assert (ready["status"], ready["reason"]) == ("False", reason)
    assert not condition(status, "Reconciling")
    for word in (*words, "storefleet.io/requested-at", "/retry"):
        assert word in stalled["message"], (word, stalled["message"])


def test_helm_and_rollout_failures_stall_then_recover_after_fix_and_retry(
    operator: OperatorProcess, tenant_ns: str
) -> None:
    cluster = operator.cluster
    extra = {f"{tenant_ns}/badvalues": REJECTED, f"{tenant_ns}/stuck": NEVER_READY}
    with reconfigured(
        operator, STOREFLEET_OPERATOR_EXTRA_VALUES=json.dumps(extra), STOREFLEET_OPERATOR_ROLLOUT_TIMEOUT_SECONDS="3"
    ):
        create_store(cluster, "badvalues", tenant_ns, "medusa", "Bad Values")
        create_store(cluster, "stuck", tenant_ns, "medusa", "Stuck Rollout")
        helm_failed = wait_phase(cluster, tenant_ns, "badvalues", "Failed", timeout=60)
        rollout_failed = wait_phase(cluster, tenant_ns, "stuck", "Failed", timeout=90)
    # helm refused the values at once: retrying could not help, so no attempt was wasted.
    assert_stalled(helm_failed, "HelmInstallFailed", f"{tenant_ns}/badvalues", "helm-release", "notAValue")
    [helm_step] = [s for s in helm_failed["steps"] if s["name"] == "helm-release"]
    assert (helm_step["state"], helm_step["attempts"]) == ("Failed", 3)
    assert not helm_history(cluster, store_namespace(tenant_ns, "badvalues"), "badvalues")
    # The rollout was waited for three times (STEP_MAX_ATTEMPTS=3 in the test settings) with backoff.
    assert_stalled(rollout_failed, "RolloutTimedOut", "wait-for-rollout", "0/1 ready", "describe pods")
    [rollout_step] = [s for s in rollout_failed["steps"] if s["name"] == "wait-for-rollout"]
    assert rollout_step["attempts"] == 3
    assert rollout_failed["failures"] == 3
    warnings = [e for e in events_of(cluster, tenant_ns, "stuck") if e["type"] == "Warning"]
    assert [e["reason"] for e in warnings].count("RolloutTimedOut") >= 4  # three attempts, then stalled
    # The cause is gone (operator back to its normal settings); a retry request brings both to Ready.
    assert status_of(cluster, tenant_ns, "stuck")["phase"] == "Failed"  # nothing happens without a request
    for name in ("badvalues", "stuck"):
        annotate_retry(cluster, tenant_ns, name)
    wait_ready(cluster, tenant_ns, "badvalues", "stuck")
    recovered = status_of(cluster, tenant_ns, "stuck")
    assert recovered["failures"] == 0
    assert recovered["release"]["revision"] == 2  # upgraded to values without the annotation
    assert [h["phase"] for h in recovered["history"]][-3:] == ["Failed", "Provisioning", "Ready"]
    assert "RetryRequested" in [e["reason"] for e in events_of(cluster, tenant_ns, "stuck")]


def test_a_failing_setup_command_stalls_and_setup_resumes_at_that_step(
    operator: OperatorProcess, tenant_ns: str, faults: list[dict[str, Any]]
) -> None:
    cluster = operator.cluster
    ns = store_namespace(tenant_ns, "shop")
    add_fault(
        cluster,
        faults,
        {
            "namespace": ns,
            "argv_prefix": ["wp", "theme", "install"],
            "exit": 1,
            "stderr": "Error: Download failed. Could not resolve host",
        },
    )
    create_store(cluster, "shop", tenant_ns, "woocommerce", "Resuming Shop")
    status = wait_phase(cluster, tenant_ns, "shop", "Failed", timeout=120)
    assert_stalled(status, "EngineSetupFailed", "install-theme", "Download failed")
    assert condition(status, "EngineConfigured")["status"] == "False"
    done_before = status["setup"]["completedSteps"]
    assert done_before[-1] == "activate-woocommerce"
    seen = len(exec_records(cluster, ns))
    faults.clear()
    (cluster.exec_log.parent / "faults.json").write_text("[]")
    annotate_retry(cluster, tenant_ns, "shop")
    wait_ready(cluster, tenant_ns, "shop")
    rerun = [r["argv"][:3] for r in exec_records(cluster, ns)[seen:]]
    assert rerun[:2] == [["wp", "theme", "is-installed"], ["wp", "theme", "install"]]
    assert ["wp", "core", "install"] not in rerun and ["wp", "config", "path"] not in rerun


def test_a_killed_operator_resumes_unlocks_a_pending_release_and_never_fails_the_store(
    operator: OperatorProcess, tenant_ns: str, faults: list[dict[str, Any]]
) -> None:
    cluster = operator.cluster
    ns = store_namespace(tenant_ns, "crash")
    # Setup here is quick enough to finish between two status writes (they come at most every 2 s), so
    # two slow calls make the kill land mid-recipe: the first lets a write record finished steps, the
    # operator is killed during the second.
    add_fault(cluster, faults, {"namespace": ns, "argv_prefix": ["wp", "plugin"], "delay_seconds": 2.5, "times": 1})
    add_fault(cluster, faults, {"namespace": ns, "argv_prefix": ["wp", "theme"], "delay_seconds": 8, "times": 1})
    create_store(cluster, "crash", tenant_ns, "woocommerce", "Crash Shop")

    def mid_setup() -> bool:
        done = (status_of(cluster, tenant_ns, "crash").get("setup") or {}).get("completedSteps") or []
        return 2 <= len(done) <= 12

    try:
        wait_for(mid_setup, "engine setup under way", timeout=120, interval=0.05)
        operator.kill()
        before = status_of(cluster, tenant_ns, "crash")
        # As if helm had been killed mid-install too: its record of revision 1 says pending-install.
        set_release_status(cluster, ns, "crash", 1, "pending-install")
        killed_at = len(exec_records(cluster, ns))
    finally:
        operator.start()
    wait_ready(cluster, tenant_ns, "crash")
    status = status_of(cluster, tenant_ns, "crash")
    history = helm_history(cluster, ns, "crash")
    assert [(r["revision"], r["status"]) for r in history] == [(1, "deployed")]
    assert "Failed" not in [h["phase"] for h in status["history"]]
    assert "ReleaseUnlocked" in [e["reason"] for e in events_of(cluster, tenant_ns, "crash")]
    assert all(e["type"] == "Normal" for e in events_of(cluster, tenant_ns, "crash"))
    # Setup resumed: steps finished before the kill did not run again.
    completed_before = before["setup"]["completedSteps"]
    rerun_steps = {" ".join(r["argv"][:3]) for r in exec_records(cluster, ns)[killed_at:]}
    assert "wp config path" not in rerun_steps
    assert "wp core install" not in rerun_steps or "install-wordpress-core" not in completed_before


def test_with_a_limit_of_one_stores_queue_and_all_become_ready(operator: OperatorProcess, tenant_ns: str) -> None:
    cluster = operator.cluster
    names = ("q1", "q2", "q3")
    with reconfigured(operator, STOREFLEET_OPERATOR_MAX_CONCURRENT_PROVISIONS="1"):
        for name in names:
            create_store(cluster, name, tenant_ns, "medusa", f"Queued {name}")
        positions: set[int] = set()
        in_flight: set[str] = set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            statuses = {n: status_of(cluster, tenant_ns, n) for n in names}
            for status in statuses.values():
                if status.get("queue"):
                    positions.add(status["queue"]["position"])
                    assert condition(status, "Reconciling")["reason"] == "Queued"
            metrics = operator.metrics()
            in_flight.update(
                line for line in metrics.splitlines() if line.startswith("storefleet_provisioning_in_flight")
            )
            if all(s.get("phase") == "Ready" for s in statuses.values()):
                break
            time.sleep(0.2)
        wait_ready(cluster, tenant_ns, *names, timeout=30)
    assert positions, "no store was ever shown as queued"
    assert in_flight <= {"storefleet_provisioning_in_flight 0.0", "storefleet_provisioning_in_flight 1.0"}
    queued = [n for n in names if "Queued" in [e["reason"] for e in events_of(cluster, tenant_ns, n)]]
    assert queued
