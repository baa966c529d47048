"""The state of one rate-limit or lockout bucket, as a plain value.

Boundary: pure. ``storage.counters`` keeps it in Kubernetes, ``services.limits`` decides over it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Counter:
    """What is stored per bucket: a count within a window, and a lock end (0 = not locked)."""

    count: int
    window_start: float
    window_seconds: float
    locked_until: float = 0.0

    @property
    def expires_at(self) -> float:
        """After this, the counter means nothing and may be deleted."""
        return max(self.window_start + self.window_seconds, self.locked_until)
