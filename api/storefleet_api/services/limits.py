"""Rate limits and lockout as pure decisions over a counter's state.

Boundary: no I/O and no clock of its own; `storage.counters` reads a counter from Kubernetes, hands
it here with the current time, and writes back what comes out (with optimistic concurrency, so the
decision holds across gateway replicas).

Windows are fixed and start at the first event, like the predecessor's 10-per-15-minutes limiter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from storefleet_api.models.limits import Counter as Counter


@dataclass(frozen=True)
class Verdict:
    """Whether to let a request through; when not, how long until it is worth trying again."""

    allowed: bool
    retry_after: int = 0
    limit_reached_now: bool = False  # this very request used the last slot or engaged the lock


ALLOW = Verdict(allowed=True)


def seconds_until(moment: float, now: float) -> int:
    """Whole seconds for Retry-After: rounded up and never 0, so a client never retries too early."""
    return max(1, math.ceil(moment - now))


def _current(counter: Counter | None, now: float, window_seconds: float) -> Counter:
    if counter is None or now >= counter.window_start + counter.window_seconds:
        locked_until = counter.locked_until if counter is not None and counter.locked_until > now else 0.0
        return Counter(count=0, window_start=now, window_seconds=window_seconds, locked_until=locked_until)
    return counter


def take_slot(counter: Counter | None, now: float, *, limit: int, window_seconds: float) -> tuple[Counter, Verdict]:
    """Count one attempt against a rate limit; refused attempts are not counted (nothing to write)."""
    current = _current(counter, now, window_seconds)
    if current.count >= limit:
        return current, Verdict(False, seconds_until(current.window_start + current.window_seconds, now))
    taken = replace(current, count=current.count + 1)
    return taken, Verdict(True, limit_reached_now=taken.count == limit)


def lock_verdict(counter: Counter | None, now: float) -> Verdict:
    """Whether an account is locked right now."""
    if counter is not None and counter.locked_until > now:
        return Verdict(False, seconds_until(counter.locked_until, now))
    return ALLOW


def record_failure(
    counter: Counter | None, now: float, *, threshold: int, window_seconds: float, lockout_seconds: float
) -> tuple[Counter, Verdict]:
    """Count one failed login; the failure that reaches the threshold locks the account."""
    current = _current(counter, now, window_seconds)
    if current.locked_until > now:
        return current, lock_verdict(current, now)
    failed = replace(current, count=current.count + 1)
    if failed.count < threshold:
        return failed, ALLOW
    locked = replace(failed, count=0, window_start=now, locked_until=now + lockout_seconds)
    return locked, Verdict(False, seconds_until(locked.locked_until, now), limit_reached_now=True)


def cooldown_verdict(counter: Counter | None, now: float) -> Verdict:
    """Whether a tenant may create a store now, given when its last creation started a cooldown."""
    if counter is not None and counter.count > 0 and now < counter.window_start + counter.window_seconds:
        return Verdict(False, seconds_until(counter.window_start + counter.window_seconds, now))
    return ALLOW


def start_cooldown(_: Counter | None, now: float, *, seconds: float) -> tuple[Counter, Verdict]:
    """Start a cooldown after a store was created; written only once the create has succeeded, so a
    refused create (bad name, quota) never makes the tenant wait (the predecessor set it before)."""
    return Counter(count=1, window_start=now, window_seconds=seconds), ALLOW
