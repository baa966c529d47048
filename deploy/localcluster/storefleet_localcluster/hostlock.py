"""The host-wide lock that allows one real node per machine.

A real node owns host-global things no second one could share: kube-proxy's ``KUBE-*`` iptables
chains, the NetworkPolicy engine's nftables table, the kubelet's kernel settings, the node bridge.
Two clusters fighting over them would break both, so a second cluster *waits* for the first to stop
(``flock`` on a file in /run), and says so, instead of failing or corrupting the first.

The lock is an ``flock``: the kernel drops it when its holder dies, so a killed test run never leaves
it stuck.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LOCK_PATH = Path("/run/storefleet-realnode.lock")
"""In /run (tmpfs, root only): gone after a reboot, like everything the lock protects."""


class RealNodeBusy(TimeoutError):
    """Another cluster on this host still runs the real node after the wait; stop it, or wait longer."""


@dataclass
class HostLock:
    """A held lock; ``release()`` (or process exit) frees it."""

    path: Path
    fd: int | None

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, 0)  # no stale holder line for the next waiter
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None

    @property
    def held(self) -> bool:
        return self.fd is not None


def acquire(
    path: Path = LOCK_PATH, *, timeout: float = 1800.0, say: Callable[[str], None] | None = None,
    poll: float = 0.5,
) -> HostLock:
    """Take the lock, waiting up to ``timeout`` seconds; ``say`` hears once that we are waiting and for whom."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise RealNodeBusy(
                    f"another cluster ({holder(path) or 'unknown process'}) has held {path} for over "
                    f"{timeout:.0f} s; stop it (its run directory is in the holder line) and retry"
                ) from None
            if say is not None and not told:
                say(f"waiting for the real node lock {path}, held by {holder(path) or 'another process'}")
                told = True
            time.sleep(poll)
            continue
        break
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid={os.getpid()}\n".encode(), 0)
    return HostLock(path, fd)


def note(lock: HostLock, text: str) -> None:
    """Record who holds the lock (pid and run directory) so a waiting cluster can name it."""
    if lock.fd is not None:
        os.ftruncate(lock.fd, 0)
        os.pwrite(lock.fd, f"pid={os.getpid()} {text}\n".encode(), 0)


def holder(path: Path = LOCK_PATH) -> str:
    with contextlib.suppress(OSError):
        return path.read_text().strip()
    return ""
