"""Run the real operator (``python -m storefleet_operator``) against the local control plane.

The operator runs as a subprocess under its own ServiceAccount token with exactly the RBAC in
``deploy/operator`` — never as admin — so a missing permission fails a test the way it would fail in
a real cluster. Tests can SIGKILL it and start it again to prove crash safety.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO

import yaml

from storefleet_localcluster.cluster import LocalCluster, die_with_parent, free_port
from storefleet_localcluster.toolchain import REPO_ROOT

OPERATOR_NAMESPACE = "storefleet-system"
OPERATOR_SERVICE_ACCOUNT = "storefleet-operator"
VALUES_LOCAL = REPO_ROOT / "helm" / "ecommerce-store" / "values-local.yaml"

# Quicker retries than production so failure tests finish in seconds; the behaviour is the same.
TEST_DEFAULTS = {
    "STOREFLEET_OPERATOR_RETRY_BASE_DELAY_SECONDS": "0.5",
    "STOREFLEET_OPERATOR_RETRY_MAX_DELAY_SECONDS": "3",
    "STOREFLEET_OPERATOR_STEP_MAX_ATTEMPTS": "3",
    "STOREFLEET_OPERATOR_ROLLOUT_TIMEOUT_SECONDS": "60",
    "STOREFLEET_OPERATOR_HELM_TIMEOUT_SECONDS": "120",
}


def install_platform(cluster: LocalCluster) -> None:
    """CRDs, the operator's ServiceAccount and RBAC (everything in deploy/operator but the Deployment,
    which would only make idle fake pods on kwok)."""
    rendered = cluster.kubectl("kustomize", str(REPO_ROOT / "deploy" / "operator")).stdout
    docs = [d for d in yaml.safe_load_all(rendered) if d]
    crds = [d for d in docs if d["kind"] == "CustomResourceDefinition"]
    rest = [d for d in docs if d["kind"] not in ("CustomResourceDefinition", "Deployment")]
    cluster.kubectl("apply", "--server-side", "--force-conflicts", "-f", "-", input=yaml.safe_dump_all(crds))
    for crd in crds:
        cluster.kubectl("wait", "--for=condition=Established", f"crd/{crd['metadata']['name']}", "--timeout=60s")
    cluster.kubectl("apply", "--server-side", "--force-conflicts", "-f", "-", input=yaml.safe_dump_all(rest))


class OperatorProcess:
    """One operator process; ``start()`` again after ``kill()`` to simulate a crash and restart."""

    def __init__(self, cluster: LocalCluster, env: dict[str, str] | None = None) -> None:
        self.cluster = cluster
        self.overrides = dict(env or {})
        self.metrics_port = free_port()
        self.liveness_port = free_port()
        self._popen: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._starts = 0
        self.log_path = cluster.run_dir / "logs" / "operator.log"
        self.kubeconfig: Path | None = None

    @property
    def pid(self) -> int | None:
        return self._popen.pid if self._popen else None

    def _environment(self) -> dict[str, str]:
        assert self.kubeconfig is not None
        env = {
            **os.environ,
            **TEST_DEFAULTS,
            "STOREFLEET_OPERATOR_KUBECONFIG": str(self.kubeconfig),
            "STOREFLEET_OPERATOR_HELM_EXECUTABLE": str(self.cluster.bin_dir / "helm"),
            "STOREFLEET_OPERATOR_VALUES_FILES": json.dumps([str(VALUES_LOCAL)]),
            "STOREFLEET_OPERATOR_STANDALONE": "1",
            "STOREFLEET_OPERATOR_METRICS_PORT": str(self.metrics_port),
            "STOREFLEET_OPERATOR_LIVENESS_PORT": str(self.liveness_port),
            "STOREFLEET_OPERATOR_LOG_FORMAT": "json",
            "PATH": f"{self.cluster.bin_dir}:{os.environ['PATH']}",
        }
        env.pop("KUBECONFIG", None)  # only the ServiceAccount kubeconfig, never admin
        env.update(self.overrides)
        return env

    def start(self, timeout: float = 60.0) -> None:
        if self._popen is not None and self._popen.poll() is None:
            raise RuntimeError("operator already running")
        # A fresh token each start: TokenRequest tokens are short-lived, like a projected SA token.
        self.kubeconfig = self.cluster.service_account_kubeconfig(OPERATOR_NAMESPACE, OPERATOR_SERVICE_ACCOUNT)
        self._starts += 1
        self._log = self.log_path.open("ab")
        self._log.write(f"\n===== operator start #{self._starts} =====\n".encode())
        self._log.flush()
        self._popen = subprocess.Popen(
            [sys.executable, "-m", "storefleet_operator"],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=self._environment(), cwd=REPO_ROOT, start_new_session=True, preexec_fn=die_with_parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._popen.poll() is not None:
                raise RuntimeError(f"operator exited with {self._popen.returncode}:\n{self.logs()[-4000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.liveness_port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"operator not live after {timeout}s:\n{self.logs()[-4000:]}")

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

    def restart(self, env: dict[str, str] | None = None) -> None:
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

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as r:
            text: str = r.read().decode()
            return text
