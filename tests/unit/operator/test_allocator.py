"""Giving freed heap memory back after a burst (``allocator``), on this machine's glibc."""

from __future__ import annotations

import asyncio
import ctypes
from pathlib import Path

import pytest

from storefleet_operator import allocator

pytestmark = pytest.mark.unit


def rss_kib() -> int:
    lines = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in lines if line.startswith("VmRSS:"))


def test_trim_returns_freed_heap_to_the_system() -> None:
    """Many small C-heap blocks, all freed but the last: glibc keeps the pages below the survivor
    until it is told to give them back."""
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    blocks = [libc.malloc(4096) for _ in range(40_000)]  # 160 MiB in blocks below the mmap threshold
    for block in blocks:
        ctypes.memset(block, 1, 4096)
    for block in blocks[:-1]:
        libc.free(block)
    before = rss_kib()
    assert allocator.trim()
    after = rss_kib()
    libc.free(blocks[-1])
    assert before - after > 100 * 1024, f"RSS {before} KiB before the trim, {after} KiB after"


async def test_idle_trim_runs_once_after_a_quiet_period_and_work_defers_it(monkeypatch: pytest.MonkeyPatch) -> None:
    trims: list[int] = []
    monkeypatch.setattr(allocator, "trim", lambda: trims.append(1) or True)
    idle = allocator.IdleTrim(quiet_seconds=0.2)
    idle.busy(False)
    await asyncio.sleep(0.1)
    idle.busy(True)  # work came back before the quiet period ended
    await asyncio.sleep(0.3)
    assert trims == []
    idle.busy(False)
    idle.busy(False)  # a second report of the same quiet changes nothing
    await asyncio.sleep(0.4)
    assert trims == [1]


def test_outside_an_event_loop_nothing_is_scheduled() -> None:
    idle = allocator.IdleTrim(quiet_seconds=0.1)
    idle.busy(False)  # the gate is also driven from synchronous tests
    assert idle._timer is None
