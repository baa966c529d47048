"""The one retry vocabulary: exponential backoff with jitter, and a policy bounding the attempts (pure).

Used by the reconciler between failed passes of a step (``store/failures.py``) and by the engine
setup runner between tries of one command. ``Backoff.delay(n)`` waits about ``base * 2**(n-1)`` after
the n-th failed attempt, capped at ``maximum``. The jitter takes up to a fraction *off* the delay
rather than adding to it, so the cap is a true upper bound and many stores failing together (a
registry outage) still spread their retries out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

JITTER: Final = 0.25


@dataclass(frozen=True)
class Backoff:
    base: float
    maximum: float
    jitter: float = JITTER

    def __post_init__(self) -> None:
        if self.base <= 0 or self.maximum < self.base:
            raise ValueError("backoff needs 0 < base <= maximum")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")

    def ceiling(self, failed_attempts: int) -> float:
        """The delay before jitter after ``failed_attempts`` failures (>= 1)."""
        exponent = max(0, failed_attempts - 1)
        # min() before the power would overflow on a long-failing store: cap the exponent instead.
        return min(self.maximum, self.base * 2.0 ** min(exponent, 62))

    def delay(self, failed_attempts: int, rand: float) -> float:
        """The wait in seconds; ``rand`` is uniform in [0, 1)."""
        ceiling = self.ceiling(failed_attempts)
        return ceiling * (1.0 - self.jitter * rand)


@dataclass(frozen=True)
class RetryPolicy:
    """How often one engine setup command is tried, and how long to wait between tries."""

    attempts: int = 4
    """Tries per step unless the step says otherwise: enough to ride out a container restart."""
    base_delay: float = 2.0
    max_delay: float = 30.0
    """Caps the wait between tries, so a long wait step keeps polling at a useful rate."""
    jitter: float = JITTER

    @property
    def backoff(self) -> Backoff:
        return Backoff(self.base_delay, self.max_delay, self.jitter)

    def delay(self, failed_attempt: int, rand: float) -> float:
        return self.backoff.delay(failed_attempt, rand)
