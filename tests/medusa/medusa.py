"""The real Medusa 1.20.11 of ``deploy/images/medusa`` run on this machine: its CLI and its server.

The project directory, lockfile and ``bin/storefleet-medusa`` are the image's own, so what passes here
is what the image runs. No Redis: ``medusa-config.js`` leaves ``redis_url`` out, so Medusa uses its
fake Redis (ioredis-mock) for sessions and the lock/queue helpers, ``@medusajs/event-bus-local`` for
events and ``@medusajs/cache-inmemory`` for the cache, exactly as a store's single replica does.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from storefleet_localcluster.cluster import free_port, stop_process_group

REPO_ROOT = Path(__file__).resolve().parents[2]
MEDUSA_DIR = REPO_ROOT / "deploy" / "images" / "medusa"
MEDUSA_BIN = MEDUSA_DIR / "node_modules" / ".bin" / "medusa"


def medusa_env(database_url: str, port: int) -> dict[str, str]:
    """The environment the chart gives the medusa container, with this machine's PATH."""
    return {
        "PATH": f"{MEDUSA_DIR / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "NODE_ENV": "production",
        "MEDUSA_DISABLE_TELEMETRY": "true",
        "DATABASE_URL": database_url,
        "JWT_SECRET": secrets.token_hex(24),
        "COOKIE_SECRET": secrets.token_hex(24),
        "PORT": str(port),
    }


def run_cli(env: dict[str, str], *args: str, stdin: str | None = None, timeout: float = 300) -> tuple[int, str]:
    """``storefleet-medusa <args>`` as the chart's init containers and the operator run it; (exit, output)."""
    result = subprocess.run(
        ["storefleet-medusa", *args], input=stdin, capture_output=True, text=True, timeout=timeout,
        cwd=MEDUSA_DIR, env=env, check=False,
    )  # fmt: skip
    return result.returncode, result.stdout + result.stderr


@dataclass
class MedusaServer:
    """``medusa start`` on a loopback port, as the image's default command runs it."""

    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> float:
        """Start the server and wait for ``GET /health`` to answer ``OK``; return the seconds it took."""
        self.env = {**self.env, "PORT": str(self.port)}
        self._log = self.log_path.open("ab")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [str(MEDUSA_BIN), "start", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=MEDUSA_DIR, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"medusa start exited {self.process.returncode}; see {self.log_path}")
            if self.healthy():
                return time.monotonic() - started
            time.sleep(0.3)
        raise RuntimeError(f"Medusa did not answer /health within {timeout:.0f} s; see {self.log_path}")

    def healthy(self) -> bool:
        try:
            response = httpx.get(f"{self.url}/health", timeout=2)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and response.text.strip() == "OK"

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process, grace=20)
        if self._log is not None:
            self._log.close()
