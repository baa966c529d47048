"""Start and stop a real local Kubernetes control plane: etcd, kube-apiserver, kube-controller-manager,
kube-scheduler and kwok (a fake node whose Pods become Ready and whose ``exec`` runs local commands).

One entry point for the test suite (a pytest session fixture) and for ``make dev``. Everything lives
in a fresh run directory on free loopback ports; ``stop()`` only ever signals the processes it started.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import yaml
from kubernetes import client, config

from . import kubeconfig, kwokconfig, pki, toolchain
from .execshim import FAKEBIN, ExecShim

if TYPE_CHECKING:
    from .realnode import RealNode

SERVICE_CIDR = "10.96.0.0/16"
POD_CIDR = "10.244.0.0/16"


class ClusterStartError(RuntimeError):
    """A component did not come up; the message names it and the tail of its log."""


def stop_process_group(popen: subprocess.Popen[Any], signum: int = signal.SIGTERM, grace: float = 15.0) -> None:
    """Signal a child that runs in a session of its own (so exactly its process group), then SIGKILL it
    if it has not exited after ``grace`` seconds. A child that already exited is left alone."""
    if popen.poll() is None:
        os.killpg(popen.pid, signum)
    try:
        popen.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(popen.pid, signal.SIGKILL)
        popen.wait(timeout=5)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class _Process:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]
    args: list[str] = field(default_factory=list)
    env: dict[str, str] | None = None

    def tail(self, lines: int = 20) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


@dataclass
class LocalCluster:
    """A running local control plane. Build with ``LocalCluster.start()``; stop with ``stop()``."""

    run_dir: Path
    toolchain_dir: Path
    api_port: int
    ca: pki.CertificateAuthority
    kubeconfig: Path
    exec_log: Path
    _processes: list[_Process] = field(default_factory=list)
    _shim: ExecShim | None = None
    real_node: RealNode | None = None
    """The real node beside the kwok node, when started with ``real_node=True`` (root + Linux)."""

    # ---------- lifecycle ----------
    @classmethod
    def start(
        cls, run_dir: Path | None = None, *, timeout: float = 120.0, real_node: bool = False,
        images: tuple[Path, ...] = (), sandbox_image: str = "",
    ) -> LocalCluster:
        """``real_node=True`` adds a real node (see realnode.py) with ``images`` (OCI/docker archives)
        imported into its containerd and ``sandbox_image`` (one of them) as its pause image."""
        tc = toolchain.ensure_toolchain()
        run_dir = run_dir or Path(tempfile.mkdtemp(prefix="storefleet-", dir=_scratch_root()))
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "pki").mkdir(exist_ok=True)
        (run_dir / "logs").mkdir(exist_ok=True)
        api_port = free_port()
        ca = pki.CertificateAuthority()
        cluster = cls(
            run_dir=run_dir,
            toolchain_dir=tc,
            api_port=api_port,
            ca=ca,
            kubeconfig=run_dir / "admin.kubeconfig",
            exec_log=run_dir / "exec-log.jsonl",
        )
        try:
            cluster._boot(timeout, tainted=real_node)
            if real_node:
                from .realnode import RealNode

                cluster.real_node = RealNode.start(cluster, images, sandbox_image)
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _boot(self, timeout: float, *, tainted: bool = False) -> None:
        deadline = time.monotonic() + timeout
        p = self.run_dir / "pki"
        (p / "ca.crt").write_bytes(self.ca.cert_pem)
        server = self.ca.server(
            "kube-apiserver",
            dns=("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"),
            ips=("127.0.0.1", "10.96.0.1"),
        )
        (p / "apiserver.crt").write_bytes(server.cert_pem)
        (p / "apiserver.key").write_bytes(server.key_pem)
        # How the apiserver authenticates to kubelets (logs, exec): a real kubelet only admits it this way.
        kubelet_client = self.ca.client("kube-apiserver-kubelet-client")
        (p / "apiserver-kubelet-client.crt").write_bytes(kubelet_client.cert_pem)
        (p / "apiserver-kubelet-client.key").write_bytes(kubelet_client.key_pem)
        sa_key, sa_pub = pki.write_service_account_keys(p)
        admin = self.ca.client("storefleet-admin", ("system:masters",))
        kubeconfig.write_kubeconfig(
            self.kubeconfig, self.server, self.ca.cert_pem, "storefleet-admin",
            cert_pem=admin.cert_pem, key_pem=admin.key_pem,
        )
        self.exec_log.touch()

        etcd_port, etcd_peer = free_port(), free_port()
        self._spawn("etcd", [
            "--name", "local", "--data-dir", str(self.run_dir / "etcd"),
            "--listen-client-urls", f"http://127.0.0.1:{etcd_port}",
            "--advertise-client-urls", f"http://127.0.0.1:{etcd_port}",
            "--listen-peer-urls", f"http://127.0.0.1:{etcd_peer}",
            "--initial-advertise-peer-urls", f"http://127.0.0.1:{etcd_peer}",
            "--initial-cluster", f"local=http://127.0.0.1:{etcd_peer}",
            "--unsafe-no-fsync", "--log-level", "warn",
        ])
        self._spawn("kube-apiserver", [
            f"--etcd-servers=http://127.0.0.1:{etcd_port}",
            "--bind-address=127.0.0.1",
            # A loopback bind makes the apiserver guess the advertise address from the default
            # route, which may not exist here; and a loopback address breaks the `kubernetes`
            # Endpoints reconciler (kubernetes/kubernetes#121942), hence type=none.
            "--advertise-address=127.0.0.1", "--endpoint-reconciler-type=none",
            f"--secure-port={self.api_port}",
            f"--tls-cert-file={p / 'apiserver.crt'}", f"--tls-private-key-file={p / 'apiserver.key'}",
            f"--client-ca-file={p / 'ca.crt'}",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            f"--service-account-key-file={sa_pub}", f"--service-account-signing-key-file={sa_key}",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            "--authorization-mode=Node,RBAC",
            # Defaults already include NamespaceLifecycle, LimitRanger, ServiceAccount, PodSecurity,
            # DefaultStorageClass and ResourceQuota; these add the ones real clusters also run.
            "--enable-admission-plugins=NodeRestriction,OwnerReferencesPermissionEnforcement",
            "--allow-privileged=true",
            # kwok serves the kubelet API on 127.0.0.1:<kwok port>, a real kubelet on its node IP; a real
            # node's Hostname (its node name) resolves nowhere, so InternalIP comes first.
            "--kubelet-preferred-address-types=InternalIP,Hostname",
            f"--kubelet-client-certificate={p / 'apiserver-kubelet-client.crt'}",
            f"--kubelet-client-key={p / 'apiserver-kubelet-client.key'}",
            "--v=1",
        ])
        self._wait(lambda: self._readyz(), "kube-apiserver /readyz", deadline)
        common = [
            f"--kubeconfig={self.kubeconfig}",
            f"--authentication-kubeconfig={self.kubeconfig}",
            f"--authorization-kubeconfig={self.kubeconfig}",
            "--leader-elect=false",
            "--bind-address=127.0.0.1",
        ]
        self._spawn("kube-controller-manager", [
            *common, f"--secure-port={free_port()}",
            f"--service-account-private-key-file={sa_key}", f"--root-ca-file={p / 'ca.crt'}",
            f"--cluster-cidr={POD_CIDR}", f"--service-cluster-ip-range={SERVICE_CIDR}",
            "--controllers=*", "--v=1",
            # Quotas on custom resources (count/stores.storefleet.io) are only recounted on this period
            # once their CRD appears after startup; the default 5m would leave new tenants unenforced.
            "--resource-quota-sync-period=10s",
            # The namespace controller makes ~80 calls per deleted namespace (one per resource type, twice);
            # at the default client limit of 20/s it deleted ~15 store namespaces a minute, so a hundred
            # deleted Stores waited minutes for their namespaces. This apiserver serves one machine.
            "--kube-api-qps=200", "--kube-api-burst=400",
        ])
        self._spawn("kube-scheduler", [*common, f"--secure-port={free_port()}", "--v=1"])

        # kwok's Exec CRD must exist before kwok starts watching it.
        crd_dir = self.toolchain_dir / "kwok-crds"
        self.kubectl("apply", "--server-side", "-f", str(crd_dir / "kwok.x-k8s.io_execs.yaml"))
        self.kubectl("wait", "--for=condition=Established", "crd/execs.kwok.x-k8s.io", "--timeout=60s")
        kwok_port = free_port()
        kwok_cfg = kwokconfig.write_kwok_config(self.run_dir / "kwok.yaml", self.toolchain_dir / "kwok-stages")
        self._spawn("kwok", [
            f"--kubeconfig={self.kubeconfig}", f"--config={kwok_cfg}",
            # Only nodes annotated as fake: a real node in the same cluster is its kubelet's alone.
            "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake", "--enable-crds=Exec",
            "--node-name=localhost", "--node-ip=127.0.0.1",
            f"--node-port={kwok_port}", f"--server-address=127.0.0.1:{kwok_port}",
            "--node-lease-duration-seconds=40", f"--cidr={POD_CIDR}",
        ], env={**os.environ, "PATH": f"{FAKEBIN}:{os.environ.get('PATH', '/usr/bin:/bin')}"})
        # ^ kwok resolves an exec'd command with its own PATH (the Exec object's PATH only reaches the
        #   child), so the recording simulators must come first here too.
        self.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(kwokconfig.cluster_objects(tainted=tainted)))
        self._wait(self._node_ready, "kwok node Ready", deadline)
        self._wait(self._default_service_account, "ServiceAccount controller (default SA)", deadline)
        self._shim = ExecShim(self.api_client(), self.run_dir, self.exec_log)
        self._shim.start()

    def stop(self) -> None:
        """Stop our own processes (never anything else), newest first; keep the run dir for logs."""
        if self.real_node is not None:
            self.real_node.stop()  # drains through the apiserver, so before the control plane stops
            self.real_node = None
        if self._shim is not None:
            self._shim.stop()
            self._shim = None
        for proc in reversed(self._processes):
            if proc.popen.poll() is None:
                # Each component runs in its own session, so this signals exactly that process group.
                os.killpg(proc.popen.pid, signal.SIGTERM)
        for proc in reversed(self._processes):
            stop_process_group(proc.popen)  # already signalled above: this waits, and kills if need be
            proc.log_file.close()
        self._processes.clear()

    def discard(self) -> None:
        """Stop, then remove the run directory (on tmpfs, so memory: a real node's is over a gigabyte),
        unless ``STOREFLEET_KEEP_CLUSTER_DIR`` is set to keep it for its logs. For tests' clusters."""
        self.stop()
        if not os.environ.get("STOREFLEET_KEEP_CLUSTER_DIR"):
            shutil.rmtree(self.run_dir, ignore_errors=True)

    # ---------- access ----------
    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self.api_port}"

    @property
    def bin_dir(self) -> Path:
        return self.toolchain_dir / "bin"

    def env(self) -> dict[str, str]:
        """Environment for child processes: our binaries first on PATH, our kubeconfig."""
        return {**os.environ, "KUBECONFIG": str(self.kubeconfig), "PATH": f"{self.bin_dir}:{os.environ['PATH']}"}

    def kubectl(
        self,
        *args: str,
        input: str | None = None,
        check: bool = True,
        kubeconfig: Path | None = None,
        timeout: float = 180,
    ) -> subprocess.CompletedProcess[str]:
        """Run kubectl against this cluster; ``timeout`` bounds the process (raise it for ``kubectl wait``)."""
        cmd = [str(self.bin_dir / "kubectl"), f"--kubeconfig={kubeconfig or self.kubeconfig}", *args]
        result = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout, check=False)
        if check and result.returncode != 0:
            raise subprocess.CalledProcessError(result.returncode, cmd, result.stdout, result.stderr)
        return result

    def helm(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin_dir / "helm"), f"--kubeconfig={self.kubeconfig}", *args]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False, env=self.env())
        if check and result.returncode != 0:
            raise subprocess.CalledProcessError(result.returncode, cmd, result.stdout, result.stderr)
        return result

    def api_client(self, kubeconfig_path: Path | None = None) -> client.ApiClient:
        api: client.ApiClient = config.new_client_from_config(config_file=str(kubeconfig_path or self.kubeconfig))
        return api

    def user_kubeconfig(self, user: str, groups: tuple[str, ...] = ()) -> Path:
        """A kubeconfig authenticating as ``user`` in ``groups`` by client certificate."""
        pair = self.ca.client(user, groups)
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in user)
        path = self.run_dir / "users" / f"{safe}.kubeconfig"
        return kubeconfig.write_kubeconfig(path, self.server, self.ca.cert_pem, user,
                                           cert_pem=pair.cert_pem, key_pem=pair.key_pem)

    def service_account_token(self, namespace: str, name: str, duration: str = "2h") -> str:
        return self.kubectl("create", "token", name, "-n", namespace, f"--duration={duration}").stdout.strip()

    def service_account_kubeconfig(self, namespace: str, name: str) -> Path:
        """A kubeconfig with a fresh TokenRequest token for an existing ServiceAccount."""
        token = self.service_account_token(namespace, name)
        path = self.run_dir / "users" / f"sa-{namespace}-{name}.kubeconfig"
        return kubeconfig.write_kubeconfig(
            path, self.server, self.ca.cert_pem, f"system:serviceaccount:{namespace}:{name}",
            token=token, namespace=namespace,
        )

    def exec_records(self) -> list[dict[str, Any]]:
        """The JSON lines the recording simulators appended (one per exec'd command)."""
        lines = self.exec_log.read_text().splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def component_pids(self) -> dict[str, int]:
        """The process id of each running control plane component (etcd, kube-apiserver, kwok, ...)."""
        return {p.name: p.popen.pid for p in self._processes if p.popen.poll() is None}

    def describe(self) -> dict[str, str]:
        return {"server": self.server, "kubeconfig": str(self.kubeconfig), "run_dir": str(self.run_dir)}

    # ---------- internals ----------
    def stop_component(self, name: str) -> None:
        """Stop one component (e.g. ``kube-apiserver``) and keep how it was started, for chaos tests."""
        proc = next(p for p in self._processes if p.name == name)
        stop_process_group(proc.popen)
        proc.log_file.close()

    def start_component(self, name: str, timeout: float = 60.0) -> None:
        """Start a stopped component again with the same arguments; for the apiserver, wait until ready."""
        index, proc = next((i, p) for i, p in enumerate(self._processes) if p.name == name)
        if proc.popen.poll() is None:
            raise RuntimeError(f"{name} is still running")
        self._processes.pop(index)
        self._spawn(name, proc.args, proc.env, append_log=True, index=index)
        if name == "kube-apiserver":
            self._wait(self._readyz, "kube-apiserver /readyz after a restart", time.monotonic() + timeout)

    def _spawn(
        self, name: str, args: list[str], env: dict[str, str] | None = None, *, append_log: bool = False,
        index: int | None = None,
    ) -> None:
        log_path = self.run_dir / "logs" / f"{name}.log"
        log_file = log_path.open("ab" if append_log else "wb")
        popen = subprocess.Popen(
            [str(self.bin_dir / name), *args],
            stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=self.run_dir, start_new_session=True, env=env, preexec_fn=die_with_parent,
        )
        started = _Process(name, popen, log_path, log_file, list(args), env)
        self._processes.insert(len(self._processes) if index is None else index, started)

    def _check_alive(self) -> None:
        for proc in self._processes:
            if proc.popen.poll() is not None:
                raise ClusterStartError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.tail()}")

    def _wait(self, probe: Any, what: str, deadline: float) -> None:
        while time.monotonic() < deadline:
            self._check_alive()
            with contextlib.suppress(Exception):  # not up yet; the probe is retried until the deadline
                if probe():
                    return
            time.sleep(0.2)
        tails = "\n".join(f"--- {p.name}\n{p.tail(8)}" for p in self._processes)
        raise ClusterStartError(f"timed out waiting for {what} in {self.run_dir}\n{tails}")

    def _readyz(self) -> bool:
        ctx = ssl.create_default_context(cadata=self.ca.cert_pem.decode())
        with urllib.request.urlopen(f"{self.server}/readyz", context=ctx, timeout=2) as resp:  # noqa: S310
            return bool(resp.status == 200)

    def _node_ready(self) -> bool:
        out = self.kubectl("get", "node", kwokconfig.NODE_NAME, "-o",
                           "jsonpath={.status.conditions[?(@.type=='Ready')].status}", check=False)
        return out.stdout.strip() == "True"

    def _default_service_account(self) -> bool:
        return self.kubectl("get", "serviceaccount", "default", "-n", "default", check=False).returncode == 0


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Runs in the child before exec: ask Linux to SIGTERM it when the process that started it dies.

    A test run killed by a timeout or SIGKILL never reaches its fixture teardown; without this its
    control plane would outlive it and hold ports and memory.
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _scratch_root() -> str:
    """Prefer tmpfs: etcd and the fakes write a lot and the data is throwaway."""
    shm = Path("/dev/shm")  # noqa: S108 - a private mkdtemp directory is created inside it
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else tempfile.gettempdir()
