"""Helpers for the Store reconciliation cluster tests: tenant namespaces, Stores, status and evidence
(exec records, helm history, Events) read back from the local control plane as an admin would."""

from __future__ import annotations

import base64
import gzip
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.cluster.operator_support import OperatorProcess
from tests.support import wait_for

from storefleet_localcluster.cluster import LocalCluster
from storefleet_operator import contract, naming

READY_TIMEOUT = 180


def new_tenant_namespace(cluster: LocalCluster, prefix: str = "h5") -> str:
    """A tenant namespace with the tenant's ServiceAccount, as the Tenant reconciler would make it."""
    namespace = f"tenant-{prefix}{uuid.uuid4().hex[:6]}"
    cluster.kubectl("create", "namespace", namespace)
    cluster.kubectl("create", "serviceaccount", "storefleet-tenant", "-n", namespace)
    return namespace


def store_manifest(name: str, namespace: str, engine: str, display_name: str, **extra: Any) -> dict[str, Any]:
    annotations = extra.pop("annotations", None)
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if annotations:
        metadata["annotations"] = annotations
    return {
        "apiVersion": "storefleet.io/v1alpha1",
        "kind": "Store",
        "metadata": metadata,
        "spec": {"engine": engine, "displayName": display_name, **extra},
    }


def create_store(
    cluster: LocalCluster, name: str, namespace: str, engine: str, display_name: str = "Shop", **extra: Any
) -> None:
    manifest = store_manifest(name, namespace, engine, display_name, **extra)
    cluster.kubectl("apply", "-f", "-", input=json.dumps(manifest))


def get_store(cluster: LocalCluster, namespace: str, name: str) -> dict[str, Any] | None:
    out = cluster.kubectl("get", "store", name, "-n", namespace, "-o", "json", check=False)
    if out.returncode != 0:
        return None
    loaded: dict[str, Any] = json.loads(out.stdout)
    return loaded


def status_of(cluster: LocalCluster, namespace: str, name: str) -> dict[str, Any]:
    found = get_store(cluster, namespace, name)
    return (found or {}).get("status") or {}


def condition(status: dict[str, Any], type_: str) -> dict[str, Any]:
    return next((c for c in status.get("conditions") or [] if c["type"] == type_), {})


def wait_ready(cluster: LocalCluster, namespace: str, *names: str, timeout: int = READY_TIMEOUT) -> None:
    for name in names:
        out = cluster.kubectl(
            "wait", "--for=condition=Ready", f"store/{name}", "-n", namespace, f"--timeout={timeout}s",
            check=False,
            timeout=timeout + 30,  # kubectl's own --timeout answers first, with its message
        )
        assert out.returncode == 0, f"{namespace}/{name} not Ready: {out.stderr}\n{status_of(cluster, namespace, name)}"


def wait_phase(
    cluster: LocalCluster, namespace: str, name: str, phase: str, timeout: float = READY_TIMEOUT
) -> dict[str, Any]:
    wait_for(
        lambda: status_of(cluster, namespace, name).get("phase") == phase,
        f"store {namespace}/{name} in phase {phase}",
        timeout=timeout,
    )
    return status_of(cluster, namespace, name)


def wait_gone(cluster: LocalCluster, namespace: str, name: str, timeout: float = READY_TIMEOUT) -> None:
    wait_for(lambda: get_store(cluster, namespace, name) is None, f"store {namespace}/{name} gone", timeout=timeout)


def store_namespace(namespace: str, name: str) -> str:
    return naming.store_namespace(namespace, name)


def exec_records(cluster: LocalCluster, namespace: str) -> list[dict[str, Any]]:
    return [r for r in cluster.exec_records() if r["namespace"] == namespace]


def helm_history(cluster: LocalCluster, namespace: str, release: str) -> list[dict[str, Any]]:
    out = cluster.helm("history", release, "-n", namespace, "-o", "json", check=False)
    if out.returncode != 0:
        return []
    loaded: list[dict[str, Any]] = json.loads(out.stdout)
    return loaded


def events_of(cluster: LocalCluster, namespace: str, name: str) -> list[dict[str, Any]]:
    out = cluster.kubectl(
        "get",
        "events",
        "-n",
        namespace,
        "--field-selector",
        f"involvedObject.kind=Store,involvedObject.name={name}",
        "-o",
        "json",
    )
    items: list[dict[str, Any]] = json.loads(out.stdout)["items"]
    return sorted(items, key=lambda e: e.get("firstTimestamp") or e.get("eventTime") or "")


def secret_value(cluster: LocalCluster, namespace: str, secret: str, key: str) -> str:
    out = cluster.kubectl("get", "secret", secret, "-n", namespace, "-o", f"jsonpath={{.data.{key}}}")
    return base64.b64decode(out.stdout).decode()


def annotate_retry(cluster: LocalCluster, namespace: str, name: str) -> None:
    cluster.kubectl(
        "annotate",
        "store",
        name,
        "-n",
        namespace,
        f"{contract.ANNOTATION_REQUESTED_AT}={time.time_ns()}",
        "--overwrite",
    )


def set_release_status(cluster: LocalCluster, namespace: str, release: str, revision: int, state: str) -> None:
    """Rewrite helm's record of one revision to ``state`` (what a helm killed mid-install leaves behind)."""
    secret = f"sh.helm.release.v1.{release}.v{revision}"
    body = json.loads(cluster.kubectl("get", "secret", secret, "-n", namespace, "-o", "json").stdout)
    record = json.loads(gzip.decompress(base64.b64decode(base64.b64decode(body["data"]["release"]))))
    record["info"]["status"] = state
    encoded = base64.b64encode(base64.b64encode(gzip.compress(json.dumps(record).encode()))).decode()
    patch = {"metadata": {"labels": {"status": state}}, "data": {"release": encoded}}
    cluster.kubectl("patch", "secret", secret, "-n", namespace, "--type=merge", "-p", json.dumps(patch))


@contextmanager
def reconfigured(operator: OperatorProcess, **env: str) -> Iterator[None]:
    """Restart the operator with extra environment, and restart it as it was afterwards."""
    saved = dict(operator.overrides)
    operator.overrides.update(env)
    operator.restart()
    try:
        yield
    finally:
        operator.overrides.clear()
        operator.overrides.update(saved)
        operator.restart()


def delete_all_stores(cluster: LocalCluster, namespace: str) -> None:
    cluster.kubectl("delete", "stores", "--all", "-n", namespace, "--wait=false", check=False)
