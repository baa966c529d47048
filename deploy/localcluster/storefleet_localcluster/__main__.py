"""``python -m storefleet_localcluster up|dev`` — the control plane alone, or the whole platform.

Prints the kubeconfig path and how to use it, then keeps the cluster up until interrupted.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

from .cluster import LocalCluster
from .dev import run as dev_run
from .toolchain import REPO_ROOT


def _up(args: argparse.Namespace) -> int:
    run_dir = Path(args.dir).resolve()
    if run_dir.exists():
        shutil.rmtree(run_dir)  # a fresh cluster each time; state from a previous run is meaningless
    started = time.monotonic()
    cluster = LocalCluster.start(run_dir)
    elapsed = time.monotonic() - started
    link = Path(args.kubeconfig).resolve()
    link.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cluster.kubeconfig, link)
    link.chmod(0o600)
    print(f"local control plane up in {elapsed:.1f}s at {cluster.server}", flush=True)
    print(f"  export KUBECONFIG={link}", flush=True)
    print(f"  export PATH={cluster.bin_dir}:$PATH", flush=True)
    print("  kubectl get nodes", flush=True)
    print(f"  logs: {cluster.run_dir / 'logs'}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        cluster.stop()
        print("local control plane stopped", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storefleet_localcluster")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the local control plane and keep it running")
    up.add_argument("--dir", default=str(REPO_ROOT / ".dev" / "cluster"), help="run directory (wiped)")
    up.add_argument("--kubeconfig", default=str(REPO_ROOT / ".dev" / "kubeconfig"),
                    help="where to copy the admin kubeconfig")
    up.set_defaults(func=_up)
    dev = sub.add_parser("dev", help="the whole platform: control plane, operator, gateway, bootstrap admin")
    dev.add_argument("--dir", default=str(REPO_ROOT / ".dev"), help="state directory (its cluster/ is wiped)")
    dev.add_argument("--port", type=int, default=8000, help="gateway port on 127.0.0.1")
    dev.set_defaults(func=lambda a: dev_run(Path(a.dir).resolve(), a.port))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
