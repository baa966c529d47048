"""A real node beside the kwok node: containerd + runc, kubelet, kube-proxy (iptables), CoreDNS as the
cluster DNS, Traefik serving Ingresses on a loopback port, our nftables NetworkPolicy engine and our
local-path provisioner. Root + Linux only (``unavailable_reason`` says why not).

Lifecycle: ``RealNode.start(cluster)`` takes the host lock (one real node per host), removes what a
previous node that never stopped left behind (``leftovers``), records the host's kernel settings and
host-global objects in ``/run`` (so the next start can do the same for this one), then starts every
component with all state under ``<run_dir>/node``; ``stop()`` drains Pods, stops everything, and
removes every mount, link, cgroup, iptables chain, nftables table and process it made, restores the
kernel settings, and deletes the record.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from . import hostlock, hoststate, kubeconfig, leftovers, nodeconfig, nodekinds, toolchain
from .nodeconfig import BRIDGE, GATEWAY_IP, NodePaths

if TYPE_CHECKING:
    from .cluster import LocalCluster, _Process

SYSTEM_BINARIES = ("/usr/bin/containerd", "/usr/bin/ctr", "/usr/bin/runc", "/usr/sbin/nft",
                   "/usr/sbin/iptables", "/usr/lib/cni/bridge", "/usr/lib/cni/host-local")
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def unavailable_reason() -> str | None:
    """Why a real node cannot run here, or None when it can (root, Linux, packages, node toolchain)."""
    if platform.system() != "Linux":
        return "a real node needs Linux"
    if os.geteuid() != 0:
        return "a real node needs root (kubelet, containerd, bridges, iptables)"
    missing = [b for b in SYSTEM_BINARIES if not Path(b).exists()]
    if missing:
        return f"missing {', '.join(missing)}: run `make system-deps`"
    return None


@dataclass
class RealNode:
    cluster: LocalCluster
    paths: NodePaths
    bin_dir: Path
    ingress_port: int
    lock: hostlock.HostLock | None = None
    record: leftovers.NodeRecord | None = None
    """How the host was before this node, also in ``leftovers.RECORD_PATH`` while the node lives."""
    processes: list[_Process] = field(default_factory=list)
    name: str = nodekinds.REAL_NODE_NAME

    # ---------- lifecycle ----------
    @classmethod
    def start(cls, cluster: LocalCluster, images: tuple[Path, ...], sandbox_image: str,
              *, timeout: float = 180.0) -> RealNode:
        from .cluster import free_port

        reason = unavailable_reason()
        if reason:
            raise RuntimeError(reason)
        node = cls(cluster, NodePaths(cluster.run_dir / "node"), toolchain.ensure_node_toolchain() / "bin",
                   ingress_port=free_port())
        node.lock = hostlock.acquire(say=lambda m: print(m, file=sys.stderr, flush=True))
        try:
            hostlock.note(node.lock, f"run_dir={cluster.run_dir}")
            _undo_stale_node(node.bin_dir / "kube-proxy")
            before = hoststate.snapshot()
            node.record = leftovers.NodeRecord(
                pid=os.getpid(), run_dir=str(cluster.run_dir), cgroup_root=node.paths.cgroup_root,
                sysctls=hoststate.read_sysctls(), chains_before=tuple(sorted(before.chains)),
                nft_tables_before=tuple(sorted(before.nft_tables)),
                host_dirs_before=tuple(str(d) for d in leftovers.HOST_DIRS if d.exists()),
            )  # fmt: skip
            leftovers.write(node.record)  # before the kubelet or the bridge change anything
            node._boot(images, sandbox_image, time.monotonic() + timeout)
        except BaseException:
            node.stop()
            raise
        return node

    def _boot(self, images: tuple[Path, ...], sandbox_image: str, deadline: float) -> None:
        from .cluster import free_port

        p, c = self.paths, self.cluster
        for d in (p.containerd_root, p.containerd_state, p.cni_conf_dir, p.cni_ipam_dir, p.kubelet_root,
                  p.pod_logs, p.volumes, p.root / "pki"):
            d.mkdir(parents=True, exist_ok=True)
        creds = self._credentials()
        c.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(nodeconfig.cluster_objects()))
        c.kubectl("annotate", "--overwrite", "storageclass", "kwok-volume",
                  "storageclass.kubernetes.io/is-default-class=false")
        # The bridge exists before anything starts: CoreDNS and the kubelet listen on its address.
        hoststate.run("ip", "link", "add", BRIDGE, "type", "bridge")
        hoststate.run("ip", "addr", "add", f"{GATEWAY_IP}/24", "dev", BRIDGE)
        hoststate.run("ip", "link", "set", BRIDGE, "up")
        (p.cni_conf_dir / "10-storefleet.conflist").write_text(json.dumps(nodeconfig.cni_conflist(p), indent=1))
        resolv = p.root / "resolv.conf"
        resolv.write_text(f"nameserver {GATEWAY_IP}\n")
        hoststate.make_cgroups(p.cgroup_root)
        self._write("containerd.toml", nodeconfig.containerd_config(p, sandbox_image))
        self._spawn("containerd", "/usr/bin/containerd", ["--config", str(p.root / "containerd.toml")])
        self._wait(lambda: p.containerd_socket.exists(), "containerd socket", deadline)
        self.import_images(images)
        kubelet_port = free_port()
        self._write("kubelet.yaml", yaml.safe_dump(nodeconfig.kubelet_config(
            p, c.run_dir / "pki" / "ca.crt", creds["serving.crt"], creds["serving.key"], kubelet_port, resolv)))
        labels = f"{nodekinds.NODE_KIND_LABEL}={nodekinds.REAL}"
        self._spawn("kubelet", str(self.bin_dir / "kubelet"), [
            f"--config={p.root / 'kubelet.yaml'}", f"--kubeconfig={creds['kubelet']}",
            f"--hostname-override={self.name}", f"--node-ip={GATEWAY_IP}", f"--root-dir={p.kubelet_root}",
            f"--node-labels={labels}", "--v=1"])
        self._wait(self._node_ready, f"real node {self.name} Ready", deadline)
        self._write("kube-proxy.yaml", yaml.safe_dump(nodeconfig.kube_proxy_config(
            creds["kube-proxy"], free_port(), free_port())))
        self._spawn("kube-proxy", str(self.bin_dir / "kube-proxy"), [f"--config={p.root / 'kube-proxy.yaml'}"])
        self._write("Corefile", nodeconfig.corefile(creds["coredns"]))
        self._spawn("coredns", str(self.bin_dir / "coredns"), ["-conf", str(p.root / "Corefile")])
        traefik = self.bin_dir / "traefik"
        if traefik.exists():
            self._write("traefik.yaml", yaml.safe_dump(nodeconfig.traefik_config(self.ingress_port)))
            self._spawn("traefik", str(traefik), [f"--configFile={p.root / 'traefik.yaml'}"],
                        env={**os.environ, "KUBECONFIG": str(creds["traefik"])})
        else:
            print(f"real node: {traefik} is not built, so no Ingress is served (make toolchain)", file=sys.stderr)
        py_env = {**os.environ, "PYTHONPATH": f"{PACKAGE_ROOT}:{os.environ.get('PYTHONPATH', '')}"}
        self._spawn("netpolicy", sys.executable, ["-m", "storefleet_localcluster.netpolicy",
                    f"--kubeconfig={creds['netpolicy']}", f"--node={self.name}"], env=py_env)
        self._spawn("provisioner", sys.executable, ["-m", "storefleet_localcluster.provisioner",
                    f"--kubeconfig={creds['provisioner']}", f"--node={self.name}", f"--root={p.volumes}"],
                    env=py_env)
        if traefik.exists():
            self._wait(lambda: _port_open("127.0.0.1", self.ingress_port), "Traefik's entry point", deadline)
        self._wait(lambda: _port_open(GATEWAY_IP, 53), "CoreDNS on the bridge", deadline)
        # Policies are enforced from the first Pod on: wait for the engine's first ruleset.
        self._wait(lambda: hoststate.run("nft", "list", "table", "inet", nodeconfig.NETPOL_TABLE).returncode == 0,
                   "the NetworkPolicy engine's nftables table", deadline)

    def stop(self) -> None:
        """Drain, stop, and remove everything this node made; restore kernel settings; free the lock."""
        if self.lock is None:
            return
        with contextlib.suppress(Exception):  # the apiserver may already be gone; cleanup goes on
            self._drain()
        for proc in reversed(self.processes):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.popen.pid, 15)
        from .cluster import stop_process_group

        for proc in reversed(self.processes):
            stop_process_group(proc.popen)
            proc.log_file.close()
        self.processes.clear()
        if self.record is not None:  # without a record this node changed nothing yet
            # containerd-shim-runc-v2 outlives containerd: its command line names our socket.
            leftovers.clean_host(self.record, str(self.paths.containerd_socket), self.bin_dir / "kube-proxy")
            leftovers.clear()
            self.record = None
        self.lock.release()
        self.lock = None

    # ---------- helpers ----------
    def import_images(self, archives: tuple[Path, ...] | list[Path]) -> None:
        """Import OCI/docker archives into this node's containerd (namespace k8s.io)."""
        for archive in archives:
            done = self.ctr("images", "import", "--all-platforms", str(archive))
            if done.returncode != 0:
                raise RuntimeError(f"importing {archive} into the real node failed: {done.stderr}")

    def ctr(self, *args: str) -> subprocess.CompletedProcess[str]:
        return hoststate.run("/usr/bin/ctr", "--address", str(self.paths.containerd_socket), "-n", "k8s.io", *args)

    @property
    def ingress_url_pattern(self) -> str:
        return f"http://<store-host>.localhost:{self.ingress_port}"

    def _drain(self) -> None:
        c = self.cluster
        c.kubectl("cordon", self.name, check=False)
        c.kubectl("delete", "pods", "-A", f"--field-selector=spec.nodeName={self.name}", "--grace-period=0",
                  "--force", "--wait=false", check=False)
        # The kubelet stops each sandbox (and runs CNI DEL, freeing its veth and address) before its
        # task ends; dead container records stay in containerd's root, which goes with the run dir.
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            if "RUNNING" not in self.ctr("tasks", "list").stdout:
                return
            time.sleep(0.5)

    def _credentials(self) -> dict[str, Path]:
        c, pki_dir = self.cluster, self.paths.root / "pki"
        out: dict[str, Path] = {}
        users = {"kubelet": (f"system:node:{self.name}", ("system:nodes",)),
                 **{k: (v, ()) for k, v in nodeconfig.USERS.items() if k != "apiserver-kubelet-client"}}
        for key, (user, groups) in users.items():
            pair = c.ca.client(user, groups)
            out[key] = kubeconfig.write_kubeconfig(pki_dir / f"{key}.kubeconfig", c.server, c.ca.cert_pem, user,
                                                   cert_pem=pair.cert_pem, key_pem=pair.key_pem)
        serving = c.ca.server(self.name, dns=(self.name,), ips=(GATEWAY_IP,))
        out["serving.crt"], out["serving.key"] = pki_dir / "serving.crt", pki_dir / "serving.key"
        out["serving.crt"].write_bytes(serving.cert_pem)
        out["serving.key"].touch(mode=0o600)
        out["serving.key"].write_bytes(serving.key_pem)
        return out

    def _write(self, name: str, text: str) -> None:
        (self.paths.root / name).write_text(text)

    def _spawn(self, name: str, program: str, args: list[str], env: dict[str, str] | None = None) -> None:
        from .cluster import _Process, die_with_parent

        log_path = self.cluster.run_dir / "logs" / f"node-{name}.log"
        log_file = log_path.open("wb")
        popen = subprocess.Popen([program, *args], stdout=log_file, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, cwd=self.paths.root, start_new_session=True,
                                 env=env, preexec_fn=die_with_parent)
        self.processes.append(_Process(name, popen, log_path, log_file, list(args), env))

    def _wait(self, probe: Any, what: str, deadline: float) -> None:
        from .cluster import ClusterStartError

        while time.monotonic() < deadline:
            for proc in self.processes:
                if proc.popen.poll() is not None:
                    raise ClusterStartError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.tail()}")
            with contextlib.suppress(Exception):
                if probe():
                    return
            time.sleep(0.3)
        tails = "\n".join(f"--- {p.name}\n{p.tail(8)}" for p in self.processes)
        raise ClusterStartError(f"timed out waiting for {what} in {self.paths.root}\n{tails}")

    def _node_ready(self) -> bool:
        out = self.cluster.kubectl("get", "node", self.name, "-o",
                                   "jsonpath={.status.conditions[?(@.type=='Ready')].status}", check=False)
        return out.stdout.strip() == "True"


def _port_open(host: str, port: int) -> bool:
    import socket

    with socket.create_connection((host, port), timeout=1):
        return True


def remove_stale_node() -> None:
    """Undo a real node whose owner died before ``stop()`` (e.g. a ``make dev`` killed with its
    session), taking the host lock for it. Who compares the host before and after a node of its own
    calls this first, so the dead node's kernel settings are not taken for the host's."""
    lock = hostlock.acquire(say=lambda m: print(m, file=sys.stderr, flush=True))
    try:
        _undo_stale_node(toolchain.node_toolchain_dir() / "bin" / "kube-proxy")
    finally:
        lock.release()


def _undo_stale_node(kube_proxy: Path) -> None:
    """Under the lock: a record means its node's owner died before ``stop()``; undo that node."""
    stale = leftovers.read()
    if stale is None:
        return
    found = leftovers.remove(stale, kube_proxy)
    leftovers.clear()
    print(f"real node: removed what the node of {stale.run_dir} (pid {stale.pid}, gone without stopping) "
          f"left on this host: {'; '.join(found) or 'nothing'}", file=sys.stderr, flush=True)
