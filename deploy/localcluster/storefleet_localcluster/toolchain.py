"""Locate (and if needed build) the pinned local control plane toolchain.

The binaries are built from Go modules by ``deploy/toolchain/build.sh`` into a directory named after
their versions; this module only finds that directory and the binaries in it. It never downloads.
"""

from __future__ import annotations

import os
import subprocess
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
BUILD_SCRIPT = REPO_ROOT / "deploy" / "toolchain" / "build.sh"
VERSIONS_FILE = REPO_ROOT / "deploy" / "toolchain" / "versions.env"

BINARIES = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok", "helm")
NODE_BINARIES = ("kubelet", "kube-proxy", "coredns")
"""The real node's own binaries (``build.sh node``); containerd, runc and the CNI plugins are Debian's.
Traefik (also built there) is optional: without it the node runs, and serves no Ingress."""


class ToolchainMissing(RuntimeError):
    """The pinned binaries are not built yet; ``make toolchain`` (or build.sh) builds them."""


def versions() -> dict[str, str]:
    """The pinned versions from versions.env (KEY=VALUE lines)."""
    pinned: dict[str, str] = {}
    for line in VERSIONS_FILE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            pinned[key.strip()] = value.strip()
    return pinned


def toolchain_dir() -> Path:
    """The versioned cache directory build.sh writes (whether or not it exists yet)."""
    v = versions()
    cache_root = Path(os.environ.get("STOREFLEET_CACHE", Path.home() / ".cache" / "storefleet"))
    name = (
        f"k8s-{v['K8S_VERSION']}-etcd-{v['ETCD_VERSION']}-kwok-{v['KWOK_VERSION']}-helm-{v['HELM_VERSION']}"
    )
    return cache_root / "toolchain" / name


def is_complete(directory: Path | None = None) -> bool:
    directory = directory or toolchain_dir()
    return all((directory / "bin" / name).exists() for name in BINARIES) and (
        directory / "kwok-stages"
    ).is_dir()


def ensure_toolchain() -> Path:
    """Build the toolchain when it is missing (slow when cold); return its directory."""
    directory = toolchain_dir()
    if not is_complete(directory):
        subprocess.run(["bash", str(BUILD_SCRIPT)], check=True, stdout=subprocess.DEVNULL)
    if not is_complete(directory):
        raise ToolchainMissing(f"toolchain build did not produce every binary in {directory}")
    return directory


def node_toolchain_dir() -> Path:
    """The versioned cache directory ``build.sh node`` writes."""
    v = versions()
    name = f"node-k8s-{v['K8S_VERSION']}-coredns-{v['COREDNS_VERSION']}-traefik-{v['TRAEFIK_VERSION']}"
    return toolchain_dir().parent / name


def node_is_complete(directory: Path | None = None) -> bool:
    directory = directory or node_toolchain_dir()
    return all((directory / "bin" / name).exists() for name in NODE_BINARIES)


def ensure_node_toolchain() -> Path:
    """Build the real node's binaries when missing (very slow when cold: kubelet, Traefik)."""
    directory = node_toolchain_dir()
    if not node_is_complete(directory):
        subprocess.run(["bash", str(BUILD_SCRIPT), "node"], check=True, stdout=subprocess.DEVNULL)
    if not node_is_complete(directory):
        raise ToolchainMissing(f"node toolchain build did not produce every binary in {directory}")
    return directory


def observability_toolchain_dir() -> Path:
    """The versioned cache directory ``build.sh observability`` writes (promtool)."""
    return toolchain_dir().parent / f"prometheus-{versions()['PROMETHEUS_VERSION']}"


def promtool() -> Path:
    """The pinned promtool, which checks and unit-tests the platform chart's alert rules; raises
    ToolchainMissing with the fix when it is absent (``make toolchain`` builds it)."""
    path = observability_toolchain_dir() / "bin" / "promtool"
    if not path.exists():
        raise ToolchainMissing(
            f"{path} is missing: run `make toolchain` (deploy/toolchain/build.sh observability builds it)"
        )
    return path


@cache
def binary(name: str) -> Path:
    """Path of one pinned binary; raises ToolchainMissing with the fix when it is absent."""
    if name not in BINARIES:
        raise ValueError(f"unknown toolchain binary {name!r}; known: {', '.join(BINARIES)}")
    path = toolchain_dir() / "bin" / name
    if not path.exists():
        raise ToolchainMissing(f"{path} is missing: run `make toolchain` (deploy/toolchain/build.sh)")
    return path
