"""What a real node changes on the host, and how to put it back.

``KernelSettings`` records sysctls the kubelet, kube-proxy and the CNI bridge change (kubelet sets
kernel.panic=10, panic_on_oops=1, vm.overcommit_memory=1 at start with no option to skip) and writes the
recorded values back. ``snapshot()`` lists the host-global objects a node can leave behind — links,
network namespaces, mounts, iptables chains, nftables tables, cgroups, processes — so ``cleanup``
and the node tests can compare before and after. Only objects that are ours are ever removed: named
after our bridge or run directory, ``KUBE-*``/``CNI-*`` chains (one real node per host: hostlock), or
processes whose command line names our containerd socket.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

SYSCTLS = (
    "kernel.panic", "kernel.panic_on_oops", "vm.overcommit_memory", "vm.panic_on_oom",
    "kernel.keys.root_maxkeys", "kernel.keys.root_maxbytes",
    "net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding", "net.ipv4.conf.all.route_localnet",
    "net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables",
    "net.netfilter.nf_conntrack_max", "net.netfilter.nf_conntrack_tcp_timeout_established",
    "net.netfilter.nf_conntrack_tcp_timeout_close_wait", "net.netfilter.nf_conntrack_tcp_be_liberal",
)
CGROUP_BASE = Path("/sys/fs/cgroup")
OUR_CHAIN = re.compile(r"^(KUBE-|CNI-)")


def _sysctl_path(name: str) -> Path:
    return Path("/proc/sys") / name.replace(".", "/")


def read_sysctls(names: tuple[str, ...] = SYSCTLS) -> dict[str, str]:
    values = {}
    for name in names:
        with contextlib.suppress(OSError):
            values[name] = _sysctl_path(name).read_text().strip()
    return values


@dataclass
class KernelSettings:
    saved: dict[str, str] = field(default_factory=read_sysctls)

    def set(self, name: str, value: str) -> None:
        _sysctl_path(name).write_text(value)

    def restore(self) -> dict[str, str]:
        """Write back every recorded value that changed; returns {name: value-we-found}."""
        changed = {}
        for name, value in self.saved.items():
            with contextlib.suppress(OSError):
                now = _sysctl_path(name).read_text().strip()
                if now != value:
                    changed[name] = now
                    _sysctl_path(name).write_text(value)
        return changed


def run(*argv: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), input=input, capture_output=True, text=True, check=False, timeout=60)


def links() -> dict[str, dict[str, object]]:
    out = run("ip", "-j", "link", "show").stdout or "[]"
    return {link["ifname"]: link for link in json.loads(out)}


def nft_tables() -> set[str]:
    return {line.removeprefix("table ").strip() for line in run("nft", "list", "tables").stdout.splitlines() if line}


def iptables_chains() -> set[str]:
    chains = set()
    for tool in ("iptables", "ip6tables"):
        table = ""
        for line in run(f"{tool}-save").stdout.splitlines():
            if line.startswith("*"):
                table = line[1:]
            elif line.startswith(":"):
                chains.add(f"{tool}/{table}/{line[1:].split()[0]}")
    return chains


def mounts_under(directory: Path) -> list[str]:
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if point == str(directory) or point.startswith(f"{directory}/"):
            found.append(point)
    return found


def cgroup_dirs(name: str) -> list[Path]:
    return [d / name.lstrip("/") for d in CGROUP_BASE.iterdir() if (d / name.lstrip("/")).is_dir()]


def cgroups_named(prefix: str) -> list[Path]:
    """Top-level cgroups in any hierarchy whose name starts with ``prefix`` (leak checks)."""
    return [c for d in CGROUP_BASE.iterdir() if d.is_dir() for c in d.glob(f"{prefix}*") if c.is_dir()]


def processes_naming(marker: str) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if marker.encode() in (proc / "cmdline").read_bytes():
                    pids.append(int(proc.name))
    return [p for p in pids if p != os.getpid()]


@dataclass(frozen=True)
class HostSnapshot:
    links: frozenset[str]
    netns: frozenset[str]
    nft_tables: frozenset[str]
    chains: frozenset[str]
    sysctls: tuple[tuple[str, str], ...]


def snapshot() -> HostSnapshot:
    netns = frozenset(p.name for p in Path("/run/netns").glob("*")) if Path("/run/netns").is_dir() else frozenset()
    return HostSnapshot(frozenset(links()), netns, frozenset(nft_tables()), frozenset(iptables_chains()),
                        tuple(sorted(read_sysctls().items())))


def kill_processes(marker: str) -> list[int]:
    """SIGKILL processes whose command line contains ``marker`` (our unique socket path)."""
    pids = processes_naming(marker)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return pids


def unmount_all(directory: Path) -> list[str]:
    """Unmount everything under ``directory``, deepest first (lazily if busy)."""
    points = sorted(set(mounts_under(directory)), key=lambda p: p.count("/"), reverse=True)
    for point in points:
        if run("umount", point).returncode != 0:
            run("umount", "-l", point)
    return points


def remove_link(name: str) -> bool:
    """Delete link ``name``; True when it was there."""
    if name not in links():
        return False
    run("ip", "link", "delete", name)
    return True


def remove_veths_of(bridge: str) -> list[str]:
    """Delete the links enslaved to ``bridge`` (the host ends of pod veths); returns their names."""
    names = [name for name, link in links().items() if link.get("master") == bridge]
    for name in names:
        run("ip", "link", "delete", name)
    return names


def remove_our_chains(before: frozenset[str]) -> set[str]:
    """Flush and delete KUBE-*/CNI-* chains (and the jumps into them from built-in chains) that were
    not there before we started; returns them."""
    ours = {c for c in iptables_chains() - before if OUR_CHAIN.match(c.split("/")[2])}
    for tool in ("iptables", "ip6tables"):
        for line in run(f"{tool}-save").stdout.splitlines():
            pass_ = line.startswith("-A ") and " -j " in line
            if pass_:
                parts = line.split()
                chain, target = parts[1], parts[parts.index("-j") + 1]
                if OUR_CHAIN.match(target) and not OUR_CHAIN.match(chain):
                    table = _table_of(tool, line)
                    if f"{tool}/{table}/{target}" in ours:
                        run(tool, "-t", table, "-D", *parts[1:])
    for chain in ours:
        tool, table, name = chain.split("/")
        run(tool, "-t", table, "-F", name)
    for chain in ours:
        tool, table, name = chain.split("/")
        run(tool, "-t", table, "-X", name)
    return ours


def _table_of(tool: str, rule: str) -> str:
    table = ""
    for line in run(f"{tool}-save").stdout.splitlines():
        if line.startswith("*"):
            table = line[1:]
        elif line == rule:
            return table
    return table


def remove_new_empty_tables(before: frozenset[str], ours: tuple[str, ...]) -> set[str]:
    """Delete nftables tables we named (whenever they were made), and iptables-nft tables that appeared
    with us and are empty now; returns the tables deleted."""
    removed = set()
    for table in nft_tables():
        family, _, name = table.partition(" ")
        if name in ours:
            run("nft", "delete", "table", family, name)
            removed.add(table)
        elif table not in before and name in ("filter", "nat", "mangle", "raw", "security"):
            listing = run("nft", "list", "table", family, name).stdout.splitlines()
            rules = [ln for ln in listing if ln.strip() and not ln.strip().startswith(("table", "chain", "type", "}"))]
            if not rules:
                run("nft", "delete", "table", family, name)
                removed.add(table)
    return removed


V1_CONTROLLERS = ("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd",
                  "hugetlb", "net_cls", "net_prio", "perf_event")


def make_cgroups(name: str) -> None:
    """Create cgroup ``name`` in every mounted v1 hierarchy (the kubelet requires its cgroupRoot to
    exist); cpuset children start empty, so copy the parent's cpus and mems."""
    for controller in V1_CONTROLLERS:
        top = CGROUP_BASE / controller
        if not top.is_dir():
            continue
        path = top / name.lstrip("/")
        path.mkdir(exist_ok=True)
        if controller == "cpuset":
            for knob in ("cpuset.cpus", "cpuset.mems"):
                (path / knob).write_text((top / knob).read_text())


def kill_cgroup_tasks(name: str) -> list[int]:
    """SIGKILL every process in cgroup ``name`` and its children, in any hierarchy (the containers of
    a node whose shims are gone live on, reparented to init, until killed)."""
    pids: set[int] = set()
    for top in cgroup_dirs(name):
        for procs in top.rglob("cgroup.procs"):
            with contextlib.suppress(OSError, ValueError):
                pids.update(int(line) for line in procs.read_text().split())
    pids.discard(os.getpid())
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if pids:  # rmdir of a cgroup fails while a killed task is still exiting
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in pids):
            time.sleep(0.1)
    return sorted(pids)


def remove_cgroups(name: str) -> list[Path]:
    """rmdir the cgroup ``name`` in every v1 hierarchy, children first (they must be empty of tasks)."""
    removed = []
    for top in cgroup_dirs(name):
        for sub in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                sub.rmdir()
        with contextlib.suppress(OSError):
            top.rmdir()
            removed.append(top)
    return removed


def _listening_unix_paths() -> set[str]:
    lines = Path("/proc/net/unix").read_text().splitlines()[1:]
    return {parts[-1] for parts in (line.split() for line in lines) if len(parts) >= 8}


def remove_unused_files(directory: Path, *, keep_dir: bool) -> None:
    """Remove what containerd 1.6 and libcni leave in host directories their config cannot move
    (/run/containerd/s shim sockets, /var/lib/cni/results caches): files no live socket uses and
    CNI results of our network; then the directories that became empty (unless ``keep_dir``). Another
    containerd on this host (an image build) keeps its live sockets."""
    if not directory.is_dir():
        return
    live = _listening_unix_paths()
    for path in sorted(directory.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            if path.is_dir():
                path.rmdir()  # only when empty
            else:
                unused_socket = path.is_socket() and str(path) not in live
                our_cni_result = path.parent.name == "results" and path.name.startswith("storefleet-")
                if unused_socket or our_cni_result:
                    path.unlink()
    if not keep_dir:
        with contextlib.suppress(OSError):
            directory.rmdir()
