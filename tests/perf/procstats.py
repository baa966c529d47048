"""What the benchmarks read about processes from /proc (Linux): peak memory and CPU time.

``pid`` is a process id, or ``"self"`` for the calling process (``bench_baseline.py`` measures itself).
"""

from __future__ import annotations

import os
from pathlib import Path


def status_kib(pid: int | str, field: str) -> int:
    """A ``/proc/<pid>/status`` memory figure in KiB, e.g. ``VmHWM`` (peak RSS) or ``VmRSS``; 0 if absent."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def peak_rss_kib(pid: int | str = "self") -> int:
    return status_kib(pid, "VmHWM")


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU of a process and of the children it has waited for (helm runs), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime


def total_cpu_seconds(pids: dict[str, int]) -> float:
    """CPU of several processes together (e.g. the control plane's components); gone ones count 0."""
    total = 0.0
    for pid in pids.values():
        try:
            total += cpu_seconds(pid)
        except OSError:
            continue
    return total
