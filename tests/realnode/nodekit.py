"""Small helpers for the real-node tests: busybox Pods, namespaces and commands run inside Pods."""

from __future__ import annotations

import json
import subprocess
import uuid
from typing import Any

import yaml

from storefleet_localcluster import nodekinds
from storefleet_localcluster.cluster import LocalCluster

WEB_PORT = 8080
OTHER_PORT = 8081


def apply(cluster: LocalCluster, *objects: dict[str, Any]) -> None:
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(objects))


def namespace(cluster: LocalCluster, prefix: str, labels: dict[str, str] | None = None) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:6]}"
    apply(cluster, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels or {}}})
    return name


def web_pod(name: str, ns: str, image: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """busybox httpd on WEB_PORT (readiness-probed) and OTHER_PORT, pinned to the real node."""
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": labels or {"app": name}},
        "spec": {
            "nodeSelector": nodekinds.real_node_selector(),
            "terminationGracePeriodSeconds": 1,
            "containers": [{
                "name": "web", "image": image, "imagePullPolicy": "Never",
                "command": ["sh", "-c", f"httpd -p {OTHER_PORT} -h /www; exec httpd -f -p {WEB_PORT} -h /www"],
                "ports": [{"name": "http", "containerPort": WEB_PORT}, {"name": "other", "containerPort": OTHER_PORT}],
                "readinessProbe": {"httpGet": {"path": "/index.html", "port": WEB_PORT}, "periodSeconds": 1},
                "livenessProbe": {"tcpSocket": {"port": WEB_PORT}, "periodSeconds": 2},
            }],
        },
    }


def client_pod(name: str, ns: str, image: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {
            "nodeSelector": nodekinds.real_node_selector(),
            "terminationGracePeriodSeconds": 1,
            "containers": [{"name": "client", "image": image, "imagePullPolicy": "Never",
                            "command": ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]}],
        },
    }


def wait_ready(cluster: LocalCluster, ns: str, *names: str, timeout: float = 90.0) -> None:
    for name in names:
        cluster.kubectl("wait", "-n", ns, "--for=condition=Ready", f"pod/{name}", f"--timeout={int(timeout)}s")


def pod(cluster: LocalCluster, ns: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(cluster.kubectl("get", "pod", "-n", ns, name, "-o", "json").stdout)
    return data


def pod_ip(cluster: LocalCluster, ns: str, name: str) -> str:
    return str(pod(cluster, ns, name)["status"]["podIP"])


def run_in(cluster: LocalCluster, ns: str, name: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run argv in the Pod's first container (kubectl exec, through the kubelet's authenticated API)."""
    return cluster.kubectl("exec", "-n", ns, name, "--", *argv, check=False)


def can_fetch(cluster: LocalCluster, ns: str, name: str, url: str) -> bool:
    # busybox 1.35's static wget crashes (SIGSEGV) with its own -T timeout; bound it with timeout(1).
    return run_in(cluster, ns, name, "timeout", "5", "wget", "-q", "-O", "-", url).returncode == 0
