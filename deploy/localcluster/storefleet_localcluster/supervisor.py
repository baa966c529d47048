"""Keep ``make dev``'s platform processes running: a crashed operator or gateway is restarted with
backoff and a printed line, while the control plane (and the other process) stay up.

Like a kubelet's CrashLoopBackOff, in miniature: the first restart comes after ``base_delay`` seconds,
each further crash doubles the wait up to ``max_delay``, and a process that stayed up for
``stable_after`` seconds starts again from the base delay.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .platform import ServiceProcess


@dataclass
class _Watch:
    service: ServiceProcess
    delay: float
    restart_at: float | None = None
    up_since: float = 0.0
    restarts: int = 0


@dataclass
class Supervisor:
    services: Sequence[ServiceProcess]
    say: Callable[[str], None] = print
    base_delay: float = 1.0
    max_delay: float = 30.0
    stable_after: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _watches: list[_Watch] = field(default_factory=list)

    def __post_init__(self) -> None:
        now = self.clock()
        self._watches = [_Watch(s, self.base_delay, up_since=now) for s in self.services]

    def tick(self) -> None:
        """Look at every process once: note crashes, restart those whose backoff has passed."""
        for watch in self._watches:
            service, now = watch.service, self.clock()
            if service.alive():
                if now - watch.up_since >= self.stable_after:
                    watch.delay = self.base_delay
                continue
            if watch.restart_at is None:
                watch.restart_at = now + watch.delay
                self.say(
                    f"{service.name} exited ({service.exit_description()}); restarting it in {watch.delay:.0f} s "
                    f"(log: {service.log_path})"
                )
                continue
            if now < watch.restart_at:
                continue
            watch.restarts += 1
            try:
                service.start()
            except RuntimeError as exc:
                watch.delay = min(watch.delay * 2, self.max_delay)
                watch.restart_at = self.clock() + watch.delay
                last = str(exc).strip().splitlines()[0] if str(exc).strip() else "no output"
                self.say(f"{service.name} did not come back ({last}); next try in {watch.delay:.0f} s")
                continue
            watch.restart_at, watch.up_since = None, self.clock()
            watch.delay = min(watch.delay * 2, self.max_delay)
            self.say(f"{service.name} restarted (restart #{watch.restarts}, pid {service.pid})")
