"""``make dev`` as a person meets it: every URL it prints and every local URL in the README answers 200;
a killed operator is restarted while the platform stays up; Ctrl-C stops everything it started."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.support import wait_for

from storefleet_localcluster.cluster import free_port, stop_process_group

pytestmark = pytest.mark.cluster
REPO = Path(__file__).resolve().parents[2]
README_PORT = "8000"
URL = re.compile(r"http://127\.0\.0\.1:(\d+)(/[^\s)`'\"<>]*)?")
BEARER = re.compile(r"Bearer ([A-Za-z0-9._-]+)")


class DevRun:
    """``python -m storefleet_localcluster dev`` in its own process group, its output collected."""

    def __init__(self, state_dir: Path, port: int) -> None:
        self.port = port
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "storefleet_localcluster", "dev", "--dir", str(state_dir), "--port", str(port)],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
            start_new_session=True,
            # kwok only: the real node is the realnode tier's (one per host), and its image builds are slow.
            env={**os.environ, "STOREFLEET_DEV_REAL_NODE": "0"},
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def descendants(self) -> set[int]:
        """Every live process in the run's process tree (children start sessions of their own)."""
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                parents[int(entry.name)] = int(fields[1])
        found, frontier = set(), {self.process.pid}
        while frontier:
            frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
            found |= frontier
        return found

    def pid_of(self, module: str) -> int:
        for pid in self.descendants():
            try:
                argv = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if module.encode() in argv:
                return pid
        raise AssertionError(f"no {module} process under make dev:\n{self.output()}")


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[DevRun]:
    run = DevRun(tmp_path / "dev", free_port())
    try:
        wait_for(lambda: "Press Ctrl-C" in run.output() or run.process.poll() is not None,
                 "make dev to print its banner", timeout=180)
        assert run.process.poll() is None, run.output()
        yield run
    finally:
        stop_process_group(run.process, signal.SIGINT, grace=90)


def check_urls(text: str, port: int, where: str, only_port: str | None = None) -> list[str]:
    """GET every loopback URL in ``text`` (on ``only_port`` when given, moved to ``port``); return those
    not answering 200. The README also names other servers (Vite's dev server, a Medusa backend)."""
    bad = []
    with httpx.Client(timeout=20) as http:
        for line in text.splitlines():
            token = BEARER.search(line)
            headers = {"Authorization": f"Bearer {token.group(1)}"} if token else {}
            for match in URL.finditer(line):
                if only_port is not None and match.group(1) != only_port:
                    continue
                url = f"http://127.0.0.1:{port}{(match.group(2) or '/').rstrip('.,;:')}"
                answer = http.get(url, headers=headers)
                if answer.status_code != 200:
                    bad.append(f"{where}: {match.group(0)} -> {answer.status_code}")
    return bad


def test_every_url_people_are_told_answers_and_a_killed_operator_comes_back(dev: DevRun) -> None:
    banner = dev.output()
    readme = (REPO / "README.md").read_text()
    assert URL.search(banner) and f"127.0.0.1:{README_PORT}" in readme
    assert check_urls(banner, dev.port, "make dev") + check_urls(readme, dev.port, "README", README_PORT) == []

    operator = dev.pid_of("storefleet_operator")
    os.kill(operator, signal.SIGKILL)
    wait_for(lambda: "operator restarted" in dev.output(), "make dev to restart the operator", timeout=90)
    assert "operator exited (killed by SIGKILL)" in dev.output()
    assert dev.pid_of("storefleet_operator") != operator
    assert httpx.get(f"http://127.0.0.1:{dev.port}/api/v1/health/ready", timeout=20).status_code == 200

    tree = dev.descendants()
    assert len(tree) >= 7, f"expected control plane + operator + gateway, found {len(tree)} processes"
    os.killpg(dev.process.pid, signal.SIGINT)
    assert dev.process.wait(timeout=90) == 0
    time.sleep(1)
    left = {pid for pid in tree if Path(f"/proc/{pid}").exists()}
    assert left == set(), f"processes left after Ctrl-C: {left}"
    assert "storefleet stopped" in dev.output()
