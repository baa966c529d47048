"""A global limit on stores provisioning at once, with a first-come-first-served queue.

In memory, in the one active operator (kopf peering makes the others stand by): after a restart the
stores that still need work simply ask again. A store *holds* a slot from its first provisioning action
until it is Ready, Stalled, deleted or its passes stop; the others wait in order and see their place
in ``status.queue.position``. A waiter that stops asking (its passes were stopped) is dropped after
``stale_after`` seconds, so a vanished store can never block the queue.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SlotView:
    """What the gate says about one store right now."""

    held: bool
    available: bool
    """True when ``acquire`` would succeed now (it holds one, or a free slot is its turn)."""
    position: int | None
    """1-based place in the queue when waiting, else None."""
    waiting: int
    in_flight: int
    limit: int


@dataclass
class ProvisioningGate:
    limit: int
    stale_after: float = 180.0
    """A waiter that has not asked for this long is dropped (queued stores re-ask every 60 s)."""
    clock: Callable[[], float] = time.monotonic
    on_change: Callable[[int, int], None] | None = None
    """Called with (queue depth, in flight) after every change, for metrics."""
    on_admit: Callable[[float], None] | None = None
    """Called with the seconds a store waited in the queue when it takes a slot (0 when it never had to
    wait), for metrics. Not called for work resumed after a restart: its wait was before the restart."""
    on_turn: Callable[[str], None] | None = None
    """Called with the key of a waiter whose turn may have come (a slot freed), so it asks again now."""
    _holders: set[str] = field(default_factory=set)
    _waiters: dict[str, float] = field(default_factory=dict)  # key -> last time it asked; insertion = order
    _queued_since: dict[str, float] = field(default_factory=dict)  # key -> when it joined the queue

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError("the provisioning limit must be at least 1")

    def view(self, key: str) -> SlotView:
        self._prune()
        if key in self._holders:
            return SlotView(True, True, None, len(self._waiters), len(self._holders), self.limit)
        free = self.limit - len(self._holders)
        order = list(self._waiters)
        position = order.index(key) + 1 if key in self._waiters else None
        ahead = (position - 1) if position is not None else len(order)
        return SlotView(False, free > ahead, position, len(order), len(self._holders), self.limit)

    def acquire(self, key: str, *, resuming: bool = False) -> bool:
        """Take a slot when it is ``key``'s turn, or at once when it is ``resuming`` work admitted before
        an operator restart (then the limit may be exceeded until those stores finish; new ones wait)."""
        if not resuming and not self.view(key).available:
            return False
        admitted = key not in self._holders
        self._waiters.pop(key, None)
        queued_since = self._queued_since.pop(key, None)
        self._holders.add(key)
        self._changed()
        if admitted and not resuming and self.on_admit is not None:
            self.on_admit(0.0 if queued_since is None else self.clock() - queued_since)
        return True

    def enqueue(self, key: str) -> int:
        """Join (or stay in) the queue; returns the 1-based position."""
        if key in self._holders:
            return 0
        new = key not in self._waiters
        self._waiters[key] = self.clock()
        if new:
            self._queued_since[key] = self._waiters[key]
            self._changed()
        return list(self._waiters).index(key) + 1

    def release(self, key: str) -> None:
        """Give up the slot or the place in the queue (idempotent)."""
        if key in self._holders or key in self._waiters:
            self._holders.discard(key)
            self._waiters.pop(key, None)
            self._queued_since.pop(key, None)
            self._changed()
            # Wake whoever is now first in line instead of letting them poll.
            if self.on_turn is not None:
                for waiter in list(self._waiters)[: max(0, self.limit - len(self._holders))]:
                    self.on_turn(waiter)

    @property
    def in_flight(self) -> int:
        return len(self._holders)

    @property
    def depth(self) -> int:
        self._prune()
        return len(self._waiters)

    def _prune(self) -> None:
        cutoff = self.clock() - self.stale_after
        stale = [key for key, asked in self._waiters.items() if asked < cutoff]
        for key in stale:
            del self._waiters[key]
            self._queued_since.pop(key, None)
        if stale:
            self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(len(self._waiters), len(self._holders))
