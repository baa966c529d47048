"""One real node per host: a second holder waits (and gives up with a clear error after its timeout)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from storefleet_localcluster import hostlock

pytestmark = pytest.mark.unit


def test_second_holder_waits_then_gets_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "realnode.lock"
    first = hostlock.acquire(path)
    hostlock.note(first, "run_dir=/dev/shm/storefleet-test")
    code = (
        "import sys; from pathlib import Path; from storefleet_localcluster import hostlock\n"
        "try:\n    hostlock.acquire(Path(sys.argv[1]), timeout=0.5)\n"
        "except hostlock.RealNodeBusy as e:\n    print(e); sys.exit(3)\n"
    )
    busy = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=False)
    assert busy.returncode == 3
    assert "storefleet-test" in busy.stdout  # names who holds it
    first.release()
    free = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=False)
    assert free.returncode == 0, free.stdout + free.stderr
