"""`python -m storefleet_api` as `make dev` and the Deployment run it: serves, logs JSON with request
ids, and on SIGTERM turns readiness off before it stops (graceful shutdown)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from gateway_support import REPO, Platform, unique_email

pytestmark = pytest.mark.cluster


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ready(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gateway exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/api/v1/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"gateway never became ready:\n{log.read_text()}")


def test_the_entry_point_serves_logs_json_and_drains_on_sigterm(platform: Platform, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "gateway.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith("STOREFLEET_")} | {
        "STOREFLEET_ENVIRONMENT": "development",
        "STOREFLEET_KUBECONFIG": str(platform.kubeconfig),
        "STOREFLEET_PLATFORM_NAMESPACE": platform.namespace,
        "STOREFLEET_PORT": str(port),
        "STOREFLEET_SHUTDOWN_DELAY_SECONDS": "2",
        "PYTHONPATH": os.pathsep.join(str(REPO / root) for root in ("api", "operator")),
    }
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "storefleet_api"], env=env, stdout=out, stderr=out)
    try:
        wait_until_ready(base, process, log)
        registered = httpx.post(
            f"{base}/api/v1/auth/register",
            json={"email": unique_email("proc"), "password": "correct horse battery"},
            headers={"X-Request-ID": "process-test-0001"},
            timeout=30,
        )
        assert registered.status_code == 201, registered.text

        process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        draining = httpx.get(f"{base}/api/v1/health/ready", timeout=2)
        still_live = httpx.get(f"{base}/api/v1/health/live", timeout=2)
        assert draining.status_code == 503 and draining.json()["detail"] == "shutting down"
        assert still_live.status_code == 200  # still serving while the Service stops routing here
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert lines, log.read_text()
    access = [line for line in lines if line.get("route") == "/api/v1/auth/register"]
    assert access and access[0]["request_id"] == "process-test-0001" and access[0]["status"] == 201
    registered_events = [line for line in lines if line.get("event") == "UserRegistered"]
    assert registered_events and registered_events[0]["request_id"] == "process-test-0001"
    assert "correct horse battery" not in log.read_text()
