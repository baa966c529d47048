"""``make dev``: the whole platform on the local control plane, in the foreground.

Starts the control plane, installs CRDs and RBAC, runs the operator and the gateway under their own
ServiceAccount tokens (both writing the audit log to a throwaway PostgreSQL when Debian's server is
installed), registers a bootstrap admin (the first account is the admin), and prints where
to open it and how to log in. Ctrl-C stops everything it started.

Where the host allows a real node (root, Linux, the node's packages and toolchain: realnode.py) the
cluster gets one, with the Medusa store images built here (images.py) imported, so Medusa stores are
real and open through Traefik at http://<store-host>.localhost:<port>. Elsewhere, and for WooCommerce
(its images cannot be built here), stores are simulated: kwok runs no containers, so engine setup
reaches the recording simulators in deploy/localcluster/fakebin (README, "Limits").
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from storefleet_api.config import DEV_METRICS_TOKEN

from . import images, realnode, toolchain
from .cluster import LocalCluster
from .demostore import DemoStore
from .platform import VALUES_REALNODE, GatewayProcess, OperatorProcess, install_platform
from .postgres import Postgres
from .supervisor import Supervisor
from .toolchain import REPO_ROOT

ADMIN_EMAIL = "admin@example.com"


def register_admin(gateway_url: str, password: str) -> str:
    """Register the bootstrap admin; returns its access token."""
    body = json.dumps({"email": ADMIN_EMAIL, "password": password, "display_name": "Platform admin"}).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback URL we built ourselves
        f"{gateway_url}/api/v1/auth/register", data=body, method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        if response.status != 201:
            raise RuntimeError(f"bootstrap admin registration answered {response.status}")
        token: str = json.loads(response.read())["access_token"]
        return token


def run(dev_dir: Path, gateway_port: int) -> int:
    run_dir = dev_dir / "cluster"
    if run_dir.exists():
        shutil.rmtree(run_dir)  # a fresh platform each time; old state would not match new code
    started = time.monotonic()
    store_images = _real_node_images()
    if store_images is None:
        cluster = LocalCluster.start(run_dir)
    else:
        cluster = LocalCluster.start(run_dir, real_node=True, images=tuple(store_images.archives),
                                     sandbox_image=store_images.ref("pause"))
    operator = gateway = None
    audit = _audit_database()
    try:
        install_platform(cluster)
        # The images built here, and the real node's placement: Medusa on it, WooCommerce on kwok.
        extra = [store_images.values_file, VALUES_REALNODE] if store_images is not None else []
        audit_env = {"STOREFLEET_OPERATOR_AUDIT_DATABASE_URL": audit.url} if audit else {}
        operator = OperatorProcess(
            cluster, {"STOREFLEET_OPERATOR_LOG_FORMAT": "text", **audit_env}, extra_values_files=extra
        )
        operator.start()
        dashboard = REPO_ROOT / "frontend" / "dist"  # built by `make frontend-build` (a prerequisite of make dev)
        gateway_env = {"STOREFLEET_DASHBOARD_DIR": str(dashboard)}
        if audit is not None:
            gateway_env["STOREFLEET_AUDIT_DATABASE_URL"] = audit.url
        gateway = GatewayProcess(cluster, port=gateway_port, env=gateway_env)
        gateway.start()
        password = secrets.token_urlsafe(18)
        token = register_admin(gateway.url, password)
        demo = DemoStore.request(gateway.url, token) if cluster.real_node is not None else None
        kubeconfig = dev_dir / "kubeconfig"
        shutil.copyfile(cluster.kubeconfig, kubeconfig)
        kubeconfig.chmod(0o600)
        credentials = dev_dir / "admin-login.txt"
        credentials.write_text(f"email: {ADMIN_EMAIL}\npassword: {password}\n")
        credentials.chmod(0o600)
        elapsed = time.monotonic() - started
        print(f"""
storefleet is up ({elapsed:.0f}s) on the local control plane.

  dashboard      {gateway.url}/        <- open this; log in with the admin login below
  API docs       {gateway.url}/api/docs   (OpenAPI schema: {gateway.url}/api/v1/openapi.json)
  admin login    {ADMIN_EMAIL} / {password}     (also in {credentials})
  kubectl        export KUBECONFIG={kubeconfig} PATH={cluster.bin_dir}:$PATH
                 kubectl apply -f crds/samples/ && kubectl get stores -A -w
  metrics        {gateway.url}/metrics   (Authorization: Bearer {DEV_METRICS_TOKEN}, the dev scrape token)
  logs           {cluster.run_dir / 'logs'}   (operator and gateway are restarted if they crash)
  audit log      {audit.describe() if audit else "Kubernetes Events only (no PostgreSQL server here)"}

{_stores_line(cluster, demo)}
Press Ctrl-C to stop.""", flush=True)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        # A crashed operator or gateway is restarted with backoff; the control plane stays up.
        supervisor = Supervisor([operator, gateway], say=lambda line: print(line, flush=True))
        while not stop.wait(1):
            supervisor.tick()
            if demo is not None and (message := demo.poll()):
                print(message, flush=True)
        return 0
    except (RuntimeError, urllib.error.URLError) as exc:
        print(f"make dev failed: {exc}", flush=True)
        return 1
    finally:
        for service in (gateway, operator):
            if service is not None:
                service.stop()
        if audit is not None:
            audit.stop()
        cluster.stop()
        print("storefleet stopped", flush=True)


@dataclass
class _AuditDatabase:
    server: Postgres
    url: str
    root: Path

    def describe(self) -> str:
        return f"PostgreSQL 15 on 127.0.0.1:{self.server.port}, database storefleet_audit (gone at Ctrl-C)"

    def stop(self) -> None:
        self.server.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _audit_database() -> _AuditDatabase | None:
    """A throwaway PostgreSQL for the durable audit log, or None (Events only) when it cannot start."""
    root = Path(tempfile.mkdtemp(prefix="storefleet-dev-audit-"))
    root.chmod(0o711)  # PostgreSQL runs as `postgres` under root and must reach its directory inside
    server: Postgres | None = None
    try:
        server = Postgres.start(root / "pg", superuser_password=secrets.token_urlsafe(18))
        url = server.create_owned_database("storefleet_audit", "storefleet_audit", secrets.token_hex(16))
    except RuntimeError as exc:
        print(f"audit log: Kubernetes Events only ({exc})", flush=True)
        if server is not None:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
        return None
    return _AuditDatabase(server, url, root)


def _real_node_images() -> images.LocalImages | None:
    """The Medusa store images when this host can run a real node, else None (kwok only, and why)."""
    reason = realnode.unavailable_reason()
    if reason is None and os.environ.get("STOREFLEET_DEV_REAL_NODE", "1") == "0":
        reason = "STOREFLEET_DEV_REAL_NODE=0"
    if reason is None and not toolchain.node_is_complete():
        reason = "the real node's binaries are not built (make toolchain)"
    if reason is not None:
        print(f"kwok only: {reason}", flush=True)
        return None
    print("building (or reusing) the Medusa store images for the real node...", flush=True)
    return images.build_local_images(roles=images.MEDUSA_STORE_ROLES, progress=lambda m: print(f"  {m}", flush=True))


def _stores_line(cluster: LocalCluster, demo: DemoStore | None) -> str:
    node = cluster.real_node
    if node is None:
        return "Stores here are simulated (kwok runs no containers); real stores need a root Linux host or kind."
    lines = [f"Medusa stores are REAL here (node {node.name}: kubelet + containerd); WooCommerce stores are simulated.",
             f"  store URLs     {node.ingress_url_pattern}   (Traefik on 127.0.0.1:{node.ingress_port})"]
    if demo is not None:
        lines.append("  demo store     a Medusa store for the admin is being provisioned (migrations and seed take"
                     " a few minutes); its URL and admin login are printed here when it is Ready")
    return "\n".join(lines)


def default_dev_dir() -> Path:
    return REPO_ROOT / ".dev"
