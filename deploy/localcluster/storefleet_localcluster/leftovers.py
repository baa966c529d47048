"""What a real node must put back on the host, written down at start so a node that never reached
``stop()`` (SIGKILL, OOM, power cut of the test runner) is cleaned up by the next start.

``RealNode.start`` writes a ``NodeRecord`` to ``/run`` under the host lock, *before* the kubelet changes
anything: the host's own sysctl values, the iptables chains and nftables tables that were already
there, which containerd/CNI host directories existed, and where the node's state lives. ``stop()``
removes the record last. So a record found by the next holder of the lock names a node whose owner
died: ``remove()`` kills what is left of that run (components, containerd shims, the containers in
its cgroups), unmounts and deletes its state, removes its bridge, veths, chains and tables, and
writes the recorded sysctls back — the same steps as a clean stop, driven by the record.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from . import hoststate, nodeconfig

RECORD_PATH = Path("/run/storefleet-realnode.json")
"""Beside the host lock, in /run (tmpfs): a reboot forgets the record with everything it describes."""
HOST_DIRS = (Path("/var/lib/cni"), Path("/run/containerd"))
"""containerd 1.6 puts CNI result caches and shim sockets here whatever its config says."""


@dataclass(frozen=True)
class NodeRecord:
    """The host as a real node found it, and where that node keeps its state."""

    pid: int
    run_dir: str
    cgroup_root: str
    sysctls: dict[str, str]
    chains_before: tuple[str, ...]
    nft_tables_before: tuple[str, ...]
    host_dirs_before: tuple[str, ...]

    @property
    def node_root(self) -> Path:
        return Path(self.run_dir) / "node"


def write(record: NodeRecord, path: Path = RECORD_PATH) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(asdict(record), indent=1))
    partial.replace(path)


def read(path: Path = RECORD_PATH) -> NodeRecord | None:
    """The record of a node that did not stop, or None. An unreadable record is reported, not trusted."""
    try:
        data = json.loads(path.read_text())
        return NodeRecord(
            pid=int(data["pid"]), run_dir=str(data["run_dir"]), cgroup_root=str(data["cgroup_root"]),
            sysctls={str(k): str(v) for k, v in data["sysctls"].items()},
            chains_before=tuple(data["chains_before"]), nft_tables_before=tuple(data["nft_tables_before"]),
            host_dirs_before=tuple(data["host_dirs_before"]),
        )  # fmt: skip
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RuntimeError(
            f"{path} (what the last real node changed on this host) cannot be read: {exc}; "
            "remove its leftovers by hand (bridge storefleet0, KUBE-* chains, sysctls) and delete it"
        ) from exc


def clear(path: Path = RECORD_PATH) -> None:
    path.unlink(missing_ok=True)


def clean_host(record: NodeRecord, kill_marker: str, kube_proxy: Path | None = None) -> list[str]:
    """Remove everything the node of ``record`` made; returns what was found, for a message.

    ``kill_marker`` selects the processes to SIGKILL by command line: the node's containerd socket on a
    clean stop (the control plane of the run still serves), the whole run directory for a dead run.
    """
    paths = nodeconfig.NodePaths(record.node_root)
    found: list[str] = []
    if pids := hoststate.kill_processes(kill_marker):
        found.append(f"{len(pids)} processes")
    # A container's processes are reparented, not killed, when its shim dies: find them by cgroup.
    if pids := hoststate.kill_cgroup_tasks(record.cgroup_root):
        found.append(f"{len(pids)} container processes")
    if points := hoststate.unmount_all(paths.root):
        found.append(f"{len(points)} mounts")
    if veths := hoststate.remove_veths_of(nodeconfig.BRIDGE):
        found.append(f"{len(veths)} veths")
    if hoststate.remove_link(nodeconfig.BRIDGE):
        found.append(f"bridge {nodeconfig.BRIDGE}")
    if hoststate.remove_cgroups(record.cgroup_root):
        found.append(f"cgroup {record.cgroup_root}")
    proxy_cfg = paths.root / "kube-proxy.yaml"
    if kube_proxy is not None and kube_proxy.exists() and proxy_cfg.exists():
        # kube-proxy removes its own rules first (it knows their order); what it misses goes below.
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            hoststate.run(str(kube_proxy), "--cleanup", f"--config={proxy_cfg}")
    if chains := hoststate.remove_our_chains(frozenset(record.chains_before)):
        found.append(f"{len(chains)} iptables chains")
    tables = hoststate.remove_new_empty_tables(frozenset(record.nft_tables_before), (nodeconfig.NETPOL_TABLE,))
    if tables:
        found.append(f"nftables tables {', '.join(sorted(tables))}")
    for directory in HOST_DIRS:
        hoststate.remove_unused_files(directory, keep_dir=str(directory) in record.host_dirs_before)
    if changed := hoststate.KernelSettings(dict(record.sysctls)).restore():
        found.append("sysctls " + ", ".join(f"{k}={v}" for k, v in sorted(changed.items())))
    return found


def remove(record: NodeRecord, kube_proxy: Path | None = None) -> list[str]:
    """Clean up after a node whose owner died, and delete its state (images and containers in tmpfs);
    its ``logs/`` stay for whoever wants to know why it died."""
    found = clean_host(record, f"{record.run_dir}/", kube_proxy)
    run_dir = Path(record.run_dir)
    if run_dir.is_dir():
        for child in run_dir.iterdir():
            if child.name != "logs":
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        found.append(f"state in {run_dir} (logs kept)")
    return found
