"""The orphan sweep: store namespaces (and their Helm releases) whose Store is gone or was replaced are
removed, counted and reported; nothing the operator did not label is ever touched. And a Store whose
predecessor of the same name left its namespace behind clears it and provisions a fresh one."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from tests.cluster.operator.storeops import (
    create_store,
    get_store,
    new_tenant_namespace,
    store_namespace,
    wait_ready,
)
from tests.cluster.operator_support import OperatorProcess
from tests.support import wait_for

from storefleet_localcluster.cluster import LocalCluster
from storefleet_operator import contract, naming

pytestmark = pytest.mark.cluster
SMOKE_CHART = Path(__file__).resolve().parents[2] / "data" / "charts" / "smoke"


def labelled_namespace(cluster: LocalCluster, name: str, labels: dict[str, str]) -> None:
    manifest = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
    cluster.kubectl("create", "-f", "-", input=json.dumps(manifest))


def store_labels(tenant_ns: str, store: str, uid: str | None) -> dict[str, str]:
    return naming.store_labels(tenant_ns, store, "woocommerce", uid)


def gone_or_going(cluster: LocalCluster, name: str) -> bool:
    out = cluster.kubectl("get", "namespace", name, "-o", "jsonpath={.status.phase}", check=False)
    return out.returncode != 0 or out.stdout.strip() == "Terminating"


def orphans_metric(operator: OperatorProcess, kind: str) -> float:
    for line in operator.metrics().splitlines():
        if line.startswith(f'storefleet_orphans_collected_total{{kind="{kind}"}}'):
            return float(line.split()[-1])
    raise AssertionError(f"storefleet_orphans_collected_total{{kind={kind}}} is not exported")


def test_the_sweep_removes_what_a_gone_store_left_and_nothing_else(operator: OperatorProcess) -> None:
    cluster = operator.cluster
    tenant_ns = new_tenant_namespace(cluster, "orph")
    suffix = uuid.uuid4().hex[:6]
    before = {kind: orphans_metric(operator, kind) for kind in ("namespace", "release")}
    # A live Store, and namespaces as a deleted Store, a replaced Store and strangers would leave them.
    create_store(cluster, "alive", tenant_ns, "woocommerce")
    wait_ready(cluster, tenant_ns, "alive")
    alive_uid = get_store(cluster, tenant_ns, "alive")["metadata"]["uid"]  # type: ignore[index]
    gone, replaced = f"orphan-gone-{suffix}", f"orphan-replaced-{suffix}"
    # The release first, then the labels: a labelled orphan would be swept before helm could install.
    labelled_namespace(cluster, gone, {})
    cluster.helm("install", "vanished", str(SMOKE_CHART), "-n", gone)
    label_args = [f"{k}={v}" for k, v in store_labels(tenant_ns, "vanished", "uid-of-a-deleted-store").items()]
    cluster.kubectl("label", "namespace", gone, *label_args)
    labelled_namespace(cluster, replaced, store_labels(tenant_ns, "alive", "uid-before-recreation"))
    strangers = {
        f"orphan-unlabelled-{suffix}": {},
        f"orphan-someone-elses-{suffix}": {
            **store_labels(tenant_ns, "vanished", None),
            contract.LABEL_MANAGED_BY: "someone-else",
        },
        f"orphan-tenant-like-{suffix}": naming.tenant_labels("vanished"),
    }
    for name, labels in strangers.items():
        labelled_namespace(cluster, name, labels)

    wait_for(
        lambda: gone_or_going(cluster, gone) and gone_or_going(cluster, replaced),
        "the sweep to remove both orphans",
        timeout=60,
    )
    for name in strangers:
        phase = cluster.kubectl("get", "namespace", name, "-o", "jsonpath={.status.phase}").stdout
        assert phase == "Active", f"{name} is not ours to sweep"
    alive_ns = store_namespace(tenant_ns, "alive")
    assert cluster.kubectl("get", "namespace", alive_ns, "-o", "jsonpath={.status.phase}").stdout == "Active"
    assert get_store(cluster, tenant_ns, "alive")["metadata"]["uid"] == alive_uid  # type: ignore[index]
    wait_for(lambda: orphans_metric(operator, "namespace") >= before["namespace"] + 2, "the namespace count")
    assert orphans_metric(operator, "release") >= before["release"] + 1
    events = json.loads(cluster.kubectl("get", "events", "-n", tenant_ns, "-o", "json").stdout)["items"]
    reported = [e["message"] for e in events if e["reason"] == "OrphanCollected"]
    assert any(gone in m and "Helm release vanished" in m and "no longer exists" in m for m in reported), reported
    assert any(replaced in m and "created again" in m for m in reported), reported
    for name in strangers:
        cluster.kubectl("delete", "namespace", name, "--wait=false")
    cluster.kubectl("delete", "store", "alive", "-n", tenant_ns, "--wait=false")


def test_a_new_store_clears_the_namespace_its_namesake_left_and_provisions_afresh(operator: OperatorProcess) -> None:
    cluster = operator.cluster
    tenant_ns = new_tenant_namespace(cluster, "succ")
    leftover = store_namespace(tenant_ns, "heir")
    labelled_namespace(cluster, leftover, store_labels(tenant_ns, "heir", "uid-of-the-predecessor"))
    create_store(cluster, "heir", tenant_ns, "woocommerce")
    wait_ready(cluster, tenant_ns, "heir")
    uid = get_store(cluster, tenant_ns, "heir")["metadata"]["uid"]  # type: ignore[index]
    labels = json.loads(cluster.kubectl("get", "namespace", leftover, "-o", "json").stdout)["metadata"]["labels"]
    assert labels[contract.LABEL_STORE_UID] == uid, "the store runs in a namespace of its own making"
    cluster.kubectl("delete", "store", "heir", "-n", tenant_ns, "--wait=false")
