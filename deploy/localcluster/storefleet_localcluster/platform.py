"""Install storefleet on a local control plane and run its processes (operator, gateway) under their
own ServiceAccount tokens — never admin — exactly as in a real cluster. Used by ``make dev`` and by the
cluster-tier tests.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

import yaml

from .cluster import LocalCluster, die_with_parent, free_port
from .toolchain import REPO_ROOT

PLATFORM_NAMESPACE = "storefleet-system"
OPERATOR_SERVICE_ACCOUNT = "storefleet-operator"
GATEWAY_SERVICE_ACCOUNT = "storefleet-gateway"
VALUES_LOCAL = REPO_ROOT / "helm" / "ecommerce-store" / "values-local.yaml"
VALUES_REALNODE = VALUES_LOCAL.with_name("values-realnode.yaml")
"""Layered after the generated image values when a real node runs: Medusa on it, WooCommerce on kwok."""


def _apply_kustomization(cluster: LocalCluster, directory: Path, skip_kinds: tuple[str, ...]) -> None:
    rendered = cluster.kubectl("kustomize", str(directory)).stdout
    docs = [d for d in yaml.safe_load_all(rendered) if d and d["kind"] not in skip_kinds]
    crds = [d for d in docs if d["kind"] == "CustomResourceDefinition"]
    rest = [d for d in docs if d["kind"] != "CustomResourceDefinition"]
    if crds:
        cluster.kubectl("apply", "--server-side", "--force-conflicts", "-f", "-", input=yaml.safe_dump_all(crds))
        for crd in crds:
            cluster.kubectl("wait", "--for=condition=Established", f"crd/{crd['metadata']['name']}",
                            "--timeout=60s")
    cluster.kubectl("apply", "--server-side", "--force-conflicts", "-f", "-", input=yaml.safe_dump_all(rest))


def install_platform(cluster: LocalCluster, *, gateway: bool = True) -> None:
    """CRDs, ServiceAccounts and least-privilege RBAC from deploy/operator (and deploy/gateway).

    Deployments, Services and PodDisruptionBudgets are skipped: on kwok they would only make idle
    fake pods; the processes run on this machine instead.
    """
    skip = ("Deployment", "Service", "PodDisruptionBudget")
    _apply_kustomization(cluster, REPO_ROOT / "deploy" / "operator", skip)
    if gateway:
        _apply_kustomization(cluster, REPO_ROOT / "deploy" / "gateway", skip)


class ServiceProcess:
    """One platform process run from this repo under a ServiceAccount token, with a liveness URL."""

    def __init__(self, cluster: LocalCluster, name: str, argv: list[str], service_account: str,
                 env: Mapping[str, str], health_path: str, health_port: int) -> None:
        self.cluster = cluster
        self.name = name
        self.argv = argv
        self.service_account = service_account
        self.base_env = dict(env)
        self.overrides: dict[str, str] = {}
        self.health_url = f"http://127.0.0.1:{health_port}{health_path}"
        self.log_path = cluster.run_dir / "logs" / f"{name}.log"
        self.kubeconfig: Path | None = None
        self._popen: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._starts = 0

    @property
    def pid(self) -> int | None:
        return self._popen.pid if self._popen else None

    def alive(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def exit_description(self) -> str:
        """How the process ended, for a person: "exit code 1", "killed by SIGKILL", or "not started"."""
        code = self._popen.poll() if self._popen is not None else None
        if code is None:
            return "not started" if self._popen is None else "running"
        if code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exit code {code}"

    def environment(self) -> dict[str, str]:
        env = {**os.environ, "PATH": f"{self.cluster.bin_dir}:{os.environ['PATH']}", **self.base_env}
        env.pop("KUBECONFIG", None)  # only the ServiceAccount kubeconfig, never admin
        env.update(self.overrides)
        return env

    def _kubeconfig_env(self) -> dict[str, str]:
        raise NotImplementedError

    def start(self, timeout: float = 60.0) -> None:
        if self._popen is not None and self._popen.poll() is None:
            raise RuntimeError(f"{self.name} already running")
        # A fresh token each start, like a projected ServiceAccount token.
        self.kubeconfig = self.cluster.service_account_kubeconfig(PLATFORM_NAMESPACE, self.service_account)
        self._starts += 1
        self._log = self.log_path.open("ab")
        self._log.write(f"\n===== {self.name} start #{self._starts} =====\n".encode())
        self._log.flush()
        self._popen = subprocess.Popen(
            [sys.executable, *self.argv], stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**self.environment(), **self._kubeconfig_env()}, cwd=REPO_ROOT,
            start_new_session=True, preexec_fn=die_with_parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self._popen.returncode}:\n{self.logs()[-4000:]}")
            try:
                with urllib.request.urlopen(self.health_url, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not live after {timeout}s:\n{self.logs()[-4000:]}")

    def kill(self) -> None:
        """SIGKILL: no cleanup handlers run, exactly like an OOM kill or a node loss."""
        if self._popen is not None and self._popen.poll() is None:
            os.killpg(self._popen.pid, signal.SIGKILL)
            self._popen.wait(timeout=10)
        self._close_log()

    def stop(self) -> None:
        if self._popen is not None and self._popen.poll() is None:
            os.killpg(self._popen.pid, signal.SIGTERM)
            try:
                self._popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()

    def restart(self, env: Mapping[str, str] | None = None) -> None:
        """Stop, optionally change environment overrides, start again."""
        self.stop()
        if env is not None:
            self.overrides.update(env)
        self.start()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class OperatorProcess(ServiceProcess):
    """``python -m storefleet_operator``, standalone, with the chart's values-local.yaml layered."""

    def __init__(
        self, cluster: LocalCluster, env: Mapping[str, str] | None = None, extra_values_files: Sequence[Path] = (),
    ) -> None:
        """``extra_values_files`` are layered after values-local.yaml, e.g. the generated values file
        naming the images built for the real node (images.py)."""
        self.metrics_port = free_port()
        self.liveness_port = free_port()
        values_files = [str(VALUES_LOCAL), *(str(f) for f in extra_values_files)]
        base = {
            "STOREFLEET_OPERATOR_HELM_EXECUTABLE": str(cluster.bin_dir / "helm"),
            "STOREFLEET_OPERATOR_VALUES_FILES": json.dumps(values_files),
            "STOREFLEET_OPERATOR_STANDALONE": "1",
            "STOREFLEET_OPERATOR_METRICS_PORT": str(self.metrics_port),
            "STOREFLEET_OPERATOR_LIVENESS_PORT": str(self.liveness_port),
            "STOREFLEET_OPERATOR_LOG_FORMAT": "json",
            # Traefik on the real node listens on a free loopback port; store URLs must name it to open.
            **({"STOREFLEET_OPERATOR_INGRESS_PORT": str(cluster.real_node.ingress_port)} if cluster.real_node else {}),
            **(env or {}),
        }
        super().__init__(cluster, "operator", ["-m", "storefleet_operator"], OPERATOR_SERVICE_ACCOUNT, base,
                         "/healthz", self.liveness_port)

    def _kubeconfig_env(self) -> dict[str, str]:
        return {"STOREFLEET_OPERATOR_KUBECONFIG": str(self.kubeconfig)}

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as r:
            text: str = r.read().decode()
            return text


class GatewayProcess(ServiceProcess):
    """``python -m storefleet_api`` on a loopback port, in development mode."""

    def __init__(self, cluster: LocalCluster, port: int | None = None, env: Mapping[str, str] | None = None) -> None:
        self.port = port or free_port()
        base = {
            "STOREFLEET_ENVIRONMENT": "development",
            "STOREFLEET_HOST": "127.0.0.1",
            "STOREFLEET_PORT": str(self.port),
            "STOREFLEET_SHUTDOWN_DELAY_SECONDS": "0",
            **(env or {}),
        }
        super().__init__(cluster, "gateway", ["-m", "storefleet_api"], GATEWAY_SERVICE_ACCOUNT, base,
                         "/api/v1/health/live", self.port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _kubeconfig_env(self) -> dict[str, str]:
        return {"STOREFLEET_KUBECONFIG": str(self.kubeconfig)}
