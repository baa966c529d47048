"""Whether kopf's peering lets this replica work, read from the peering object as kopf reads it.

kopf pauses a replica while its peering object (a ``ClusterKopfPeering``) lists another live peer of a
higher or the same priority: it stops the replica's watches and daemons, and shows that toggle to no
one else. The store work queue (``store.queue``) runs no kopf daemon that kopf could stop, so it
follows the same object. Each replica keeps its own entry there (kopf's keepalive), ``status:
{<identity>: {priority, lifetime, lastseen}}``; a peer is live until ``lastseen + lifetime``, and one
that exits writes ``lifetime: 0``. A replica whose entry is not there yet has not joined and stands
by, as kopf stands by until its first look. The object is read every ``POLL_SECONDS``, so the queue
follows kopf within about that long.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from storefleet_operator.adapters.kube import KubeError

log = logging.getLogger(__name__)

POLL_SECONDS: Final = 2.0


def _live(entry: Mapping[str, Any], now: datetime) -> bool:
    lastseen = entry.get("lastseen")
    if not isinstance(lastseen, str):
        return True  # kopf counts a peer without a time as seen now
    try:
        seen = datetime.fromisoformat(lastseen.replace("Z", "+00:00"))
        lifetime = timedelta(seconds=int(entry.get("lifetime", 60)))
    except (TypeError, ValueError):
        return True
    if seen.tzinfo is None:
        seen = seen.replace(tzinfo=UTC)
    return seen + lifetime > now


def allows(status: Mapping[str, Any] | None, identity: str, priority: int, now: datetime) -> bool:
    """Does the peering object's ``status`` let the replica ``identity`` (of ``priority``) work?"""
    if not status or identity not in status:
        return False
    for peer, entry in status.items():
        if peer == identity or not isinstance(entry, Mapping) or not _live(entry, now):
            continue
        try:
            theirs = int(entry.get("priority", 0))
        except (TypeError, ValueError):
            continue
        if theirs >= priority:
            return False
    return True


@dataclass(frozen=True)
class PeeringIdentity:
    """How this replica joins the peering: the object's name, and its own identity and priority there."""

    name: str
    identity: str
    priority: int


@dataclass
class PeeringFollower:
    """Reads the peering object every ``every`` seconds and reports each change of ``allows``."""

    read: Callable[[], Awaitable[Mapping[str, Any] | None]]
    identity: str
    priority: int
    on_change: Callable[[bool], None]
    every: float = POLL_SECONDS
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    state: bool | None = None

    async def look(self) -> None:
        try:
            found = await self.read()
        except KubeError as exc:
            log.warning("cannot read the peering object, keeping the last answer: %s", exc)
            return
        now_allowed = allows((found or {}).get("status"), self.identity, self.priority, self.clock())
        if now_allowed != self.state:
            self.state = now_allowed
            log.info("peering %s this replica to work", "allows" if now_allowed else "does not allow")
            self.on_change(now_allowed)

    async def run(self) -> None:
        while True:
            await self.look()
            await asyncio.sleep(self.every)
