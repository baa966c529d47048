"""Smoke tests of the local control plane: each proves one capability later tests rely on."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from kubernetes.stream import stream
from pyhelm3 import Client as HelmClient
from tests.support import wait_for

from storefleet_localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster

SMOKE_CHART = Path(__file__).parents[1] / "data" / "charts" / "smoke"




def apply(cluster: LocalCluster, namespace: str, *objects: dict[str, object]) -> None:
    cluster.kubectl("apply", "-n", namespace, "-f", "-", input=yaml.safe_dump_all(objects))


def deployment(name: str, replicas: int = 2) -> dict[str, object]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "main", "image": "storefleet/smoke:1"}]},
            },
        },
    }


def test_deployment_and_statefulset_with_pvc_become_ready(cluster: LocalCluster, namespace: str) -> None:
    statefulset = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db"},
        "spec": {
            "serviceName": "db",
            "replicas": 1,
            "selector": {"matchLabels": {"app": "db"}},
            "template": {
                "metadata": {"labels": {"app": "db"}},
                "spec": {
                    "containers": [
                        {
                            "name": "db",
                            "image": "storefleet/smoke:1",
                            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                        }
                    ]
                },
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
                }
            ],
        },
    }
    apply(cluster, namespace, deployment("web"), statefulset)
    cluster.kubectl("rollout", "status", "deployment/web", "-n", namespace, "--timeout=60s")
    cluster.kubectl("rollout", "status", "statefulset/db", "-n", namespace, "--timeout=60s")
    pvc = json.loads(cluster.kubectl("get", "pvc", "data-db-0", "-n", namespace, "-o", "json").stdout)
    assert pvc["status"]["phase"] == "Bound"
    assert pvc["spec"]["storageClassName"] == "kwok-volume"  # the default class did its job
    ready = cluster.kubectl(
        "get", "deployment", "web", "-n", namespace, "-o", "jsonpath={.status.readyReplicas}"
    ).stdout
    assert ready == "2"


def _single_ready_pod(cluster: LocalCluster, namespace: str, app: str) -> str:
    apply(cluster, namespace, deployment(app, replicas=1))
    cluster.kubectl("rollout", "status", f"deployment/{app}", "-n", namespace, "--timeout=60s")
    return cluster.kubectl(
        "get", "pods", "-n", namespace, "-l", f"app={app}", "-o", "jsonpath={.items[0].metadata.name}"
    ).stdout


def test_kubectl_exec_runs_through_kwok_with_output_and_exit_code(cluster: LocalCluster, namespace: str) -> None:
    pod = _single_ready_pod(cluster, namespace, "exec-target")

    def exec_identity_ready() -> bool:
        probe = cluster.kubectl("exec", "-n", namespace, pod, "-c", "main", "--", "true", check=False)
        return probe.returncode == 0

    wait_for(exec_identity_ready, "kwok exec target for the pod")
    result = cluster.kubectl(
        "exec",
        "-n",
        namespace,
        pod,
        "-c",
        "main",
        "--",
        "sh",
        "-c",
        'echo "pod=$STOREFLEET_POD container=$STOREFLEET_CONTAINER"; echo oops >&2; exit 7',
        check=False,
    )
    # kwok v0.8.0 wraps the command's exit error, so the apiserver reports a generic failure whose
    # message carries "exit status N" instead of a structured exit code; kubectl then exits 1.
    # The operator's exec adapter reads the code from that message (see adapters/execs.py).
    assert result.returncode != 0
    assert "exit status 7" in result.stderr
    assert f"pod={pod} container=main" in result.stdout
    assert "oops" in result.stderr


def exit_code(status: dict[str, Any]) -> int:
    """Exit code from the exec error channel: structured on real kubelets, in the message on kwok."""
    if status.get("status") == "Success":
        return 0
    for cause in (status.get("details") or {}).get("causes") or []:
        if cause.get("reason") == "ExitCode":
            return int(cause["message"])
    match = re.search(r"exit status (\d+)", status.get("message", ""))
    if match:
        return int(match.group(1))
    raise AssertionError(f"exec failed without an exit code: {status}")


def test_python_client_exec_stream_gets_output_stdin_and_exit_code(cluster: LocalCluster, namespace: str) -> None:
    pod = _single_ready_pod(cluster, namespace, "exec-python")
    core = client.CoreV1Api(cluster.api_client())

    def run(argv: list[str], stdin: str | None = None) -> tuple[int, str, str]:
        ws = stream(
            core.connect_get_namespaced_pod_exec,
            pod,
            namespace,
            container="main",
            command=argv,
            stdin=stdin is not None,
            stdout=True,
            stderr=True,
            tty=False,
            _preload_content=False,
        )
        if stdin is not None:
            ws.write_stdin(stdin)
        out, err = [], []
        deadline = time.monotonic() + 30
        while ws.is_open() and time.monotonic() < deadline:
            ws.update(timeout=1)
            out.append(ws.read_stdout())
            err.append(ws.read_stderr())
        status = yaml.safe_load(ws.read_channel(3) or "{}") or {}
        ws.close()
        return exit_code(status), "".join(out), "".join(err)

    def exec_identity_ready() -> bool:
        try:
            return run(["true"])[0] == 0
        except (ApiException, AssertionError):
            return False

    wait_for(exec_identity_ready, "kwok exec target for the pod")
    code, out, err = run(["sh", "-c", 'printf "%s" "$STOREFLEET_CONTAINER"; echo bad >&2; exit 3'])
    assert (code, out, err.strip()) == (3, "main", "bad")
    # kwok never closes a command's stdin, so readers take one line instead of waiting for EOF.
    code, out, _ = run(["head", "-n", "1"], stdin="secret via stdin\n")
    assert code == 0
    assert out == "secret via stdin\n"


async def test_pyhelm3_installs_upgrades_and_uninstalls_a_chart(cluster: LocalCluster, namespace: str) -> None:
    helm = HelmClient(executable=str(cluster.bin_dir / "helm"), kubeconfig=cluster.kubeconfig)
    chart = await helm.get_chart(SMOKE_CHART)
    first = await helm.install_or_upgrade_release(
        "smoke",
        chart,
        {"message": "first, with a comma=and equals"},
        namespace=namespace,
        wait=True,
        timeout="90s",
    )
    assert first.revision == 1
    assert str(first.status).lower().endswith("deployed")
    second = await helm.install_or_upgrade_release(
        "smoke", chart, {"message": "second", "replicas": 2}, namespace=namespace, wait=True, timeout="90s"
    )
    assert second.revision == 2
    message = cluster.kubectl(
        "get", "configmap", "smoke-message", "-n", namespace, "-o", "jsonpath={.data.message}"
    ).stdout
    assert message == "second"
    ready = cluster.kubectl(
        "get", "deployment", "smoke-web", "-n", namespace, "-o", "jsonpath={.status.readyReplicas}"
    ).stdout
    assert ready == "2"
    await helm.uninstall_release("smoke", namespace=namespace, wait=True, timeout="60s")
    gone = cluster.kubectl("get", "configmap", "smoke-message", "-n", namespace, check=False)
    assert gone.returncode != 0 and "NotFound" in gone.stderr
    releases = await helm.list_releases(namespace=namespace)
    assert [r.name for r in releases] == []


def test_rbac_forbids_then_allows_after_rolebinding(cluster: LocalCluster, namespace: str) -> None:
    kubeconfig = cluster.user_kubeconfig("carol@example.com", ("storefleet:testers",))
    denied = cluster.kubectl("get", "configmaps", "-n", namespace, kubeconfig=kubeconfig, check=False)
    assert denied.returncode != 0
    assert "Forbidden" in denied.stderr and "carol@example.com" in denied.stderr
    cluster.kubectl("create", "role", "cm-reader", "-n", namespace, "--verb=get,list", "--resource=configmaps")
    cluster.kubectl(
        "create", "rolebinding", "carol-reads", "-n", namespace, "--role=cm-reader", "--user=carol@example.com"
    )

    def allowed() -> bool:
        probe = cluster.kubectl("get", "configmaps", "-n", namespace, kubeconfig=kubeconfig, check=False)
        return probe.returncode == 0

    wait_for(allowed, "RBAC to admit the bound user", timeout=20)
    # Still nothing outside that namespace.
    other = cluster.kubectl("get", "configmaps", "-n", "default", kubeconfig=kubeconfig, check=False)
    assert other.returncode != 0 and "Forbidden" in other.stderr


def test_impersonating_exactly_one_service_account(cluster: LocalCluster, namespace: str) -> None:
    cluster.kubectl("create", "serviceaccount", "tenant-sa", "-n", namespace)
    cluster.kubectl("create", "serviceaccount", "other-sa", "-n", namespace)
    cluster.kubectl(
        "create",
        "role",
        "impersonate-tenant-sa",
        "-n",
        namespace,
        "--verb=impersonate",
        "--resource=serviceaccounts",
        "--resource-name=tenant-sa",
    )
    cluster.kubectl(
        "create",
        "rolebinding",
        "gateway-impersonates",
        "-n",
        namespace,
        "--role=impersonate-tenant-sa",
        "--user=gateway",
    )
    cluster.kubectl("create", "role", "pod-lister", "-n", namespace, "--verb=list", "--resource=pods")
    cluster.kubectl(
        "create",
        "rolebinding",
        "tenant-sa-lists",
        "-n",
        namespace,
        "--role=pod-lister",
        f"--serviceaccount={namespace}:tenant-sa",
    )
    gateway = cluster.user_kubeconfig("gateway")
    as_tenant = cluster.kubectl(
        "get",
        "pods",
        "-n",
        namespace,
        f"--as=system:serviceaccount:{namespace}:tenant-sa",
        kubeconfig=gateway,
        check=False,
    )
    assert as_tenant.returncode == 0, as_tenant.stderr
    as_other = cluster.kubectl(
        "get",
        "pods",
        "-n",
        namespace,
        f"--as=system:serviceaccount:{namespace}:other-sa",
        kubeconfig=gateway,
        check=False,
    )
    assert as_other.returncode != 0 and "cannot impersonate" in as_other.stderr
    as_admin = cluster.kubectl(
        "get",
        "pods",
        "-n",
        namespace,
        "--as=storefleet-admin",
        "--as-group=system:masters",
        kubeconfig=gateway,
        check=False,
    )
    assert as_admin.returncode != 0 and "cannot impersonate" in as_admin.stderr
    # The ServiceAccount's own token works too (TokenRequest), with the same rights.
    sa_kubeconfig = cluster.service_account_kubeconfig(namespace, "tenant-sa")
    own = cluster.kubectl("get", "pods", "-n", namespace, kubeconfig=sa_kubeconfig, check=False)
    assert own.returncode == 0, own.stderr


def test_resource_quota_count_rejects_the_object_over_the_cap(cluster: LocalCluster, namespace: str) -> None:
    apply(
        cluster,
        namespace,
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "cap"},
            "spec": {"hard": {"count/secrets": "2"}},
        },
    )

    def quota_counts() -> bool:
        used = cluster.kubectl(
            "get", "resourcequota", "cap", "-n", namespace, "-o", "jsonpath={.status.used}", check=False
        ).stdout
        return "count/secrets" in used

    wait_for(quota_counts, "the quota controller to count secrets")
    outcomes = [
        cluster.kubectl("create", "secret", "generic", f"s-{i}", "-n", namespace, "--from-literal=k=v", check=False)
        for i in range(3)
    ]
    assert [o.returncode == 0 for o in outcomes] == [True, True, False]
    assert "exceeded quota: cap" in outcomes[2].stderr
    assert "limited: count/secrets=2" in outcomes[2].stderr


def test_component_versions_are_the_pinned_ones(cluster: LocalCluster) -> None:
    version = json.loads(cluster.kubectl("version", "-o", "json").stdout)
    assert version["serverVersion"]["gitVersion"] == "v1.36.3"
    assert version["clientVersion"]["gitVersion"] == "v1.36.3"
    helm_version = subprocess.run(
        [str(cluster.bin_dir / "helm"), "version", "--template", "{{ .Version }}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert helm_version == "v3.22.0"
