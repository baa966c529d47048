"""Server-sent events of one store's progress: the dashboard's live view of a store provisioning.

Boundary: turns a `StoreWatcher`'s changes into SSE text; no HTTP framework types. The stream
1. sends the store as it is now (`event: status`),
2. then every change (`event: status`), a `: heartbeat` comment when quiet,
3. and ends with `event: end` (data {"reason": ready|failed|deleted|timeout|error}) when the store
   settles (Ready or Failed for its current spec and retry request), is deleted, the stream's
   lifetime passes, or the watch fails; or silently when the client goes away.
A client should close its EventSource on `end`; otherwise EventSource reconnects, which is what a
client wants after `timeout` and harmless after the others (a settled store ends at once).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from storefleet_api import errors
from storefleet_api.config import Settings
from storefleet_api.models.stores import is_settled, phase_of, store_out
from storefleet_api.storage import kubernetes as k8s
from storefleet_api.storage.store_watch import StoreChange, StoreWatcher, WatchEnded, WatchFailed
from storefleet_operator.models import Store

logger = logging.getLogger(__name__)

RECONNECT_MILLISECONDS = 5000


def sse(event: str, data: dict[str, Any], *, event_id: str | None = None) -> str:
    """One SSE message. JSON never contains a raw newline, so `data` is always a single line."""
    lines = [f"event: {event}"]
    if event_id:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, separators=(",", ":"), default=str))
    return "\n".join(lines) + "\n\n"


def status_message(store: Store) -> str:
    return sse("status", store_out(store).model_dump(mode="json"), event_id=store.metadata.resource_version)


def end_message(reason: str, detail: str = "") -> str:
    return sse("end", {"reason": reason, "detail": detail} if detail else {"reason": reason})


class StoreStreams:
    """Opens progress streams, at most `store_stream_limit` at once in this process."""

    def __init__(self, settings: Settings, clients: k8s.KubernetesClients) -> None:
        self.settings = settings
        self.clients = clients
        self.active = 0

    def check_capacity(self) -> None:
        """Refuse before the response starts when this replica follows too many stores already.

        A soft cap: requests racing past it at the same moment may exceed it by a few.
        """
        if self.active >= self.settings.store_stream_limit:
            raise errors.ServiceUnavailable("too many progress streams are open on this server; try again shortly", 5)

    async def follow(self, store: Store, *, as_tenant: str | None) -> AsyncIterator[str]:
        """The SSE text for `store`, read as `as_tenant`'s ServiceAccount (None: as the gateway)."""
        client = self.clients.admin if as_tenant is None else self.clients.client_for_tenant(as_tenant)
        deadline = time.monotonic() + self.settings.store_stream_max_seconds
        watcher = StoreWatcher(
            client,
            store.metadata.namespace,
            store.metadata.name,
            resource_version=store.metadata.resource_version,
            deadline=deadline,
            connect_timeout=self.clients.request_timeout[0],
        )
        self.active += 1
        try:
            yield f"retry: {RECONNECT_MILLISECONDS}\n\n"
            yield status_message(store)
            if is_settled(store):
                yield end_message(phase_of(store).lower())
                return
            watcher.start()
            async for message in self._changes(watcher, deadline):
                yield message
        finally:
            watcher.stop()
            self.active -= 1

    async def _changes(self, watcher: StoreWatcher, deadline: float) -> AsyncIterator[str]:
        heartbeat = self.settings.store_stream_heartbeat_seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                yield end_message("timeout", "the stream's lifetime is over; reconnect to keep following")
                return
            change = await watcher.next(min(heartbeat, remaining))
            if change is None:
                yield ": heartbeat\n\n"
            elif isinstance(change, WatchEnded):
                yield end_message("timeout", "the stream's lifetime is over; reconnect to keep following")
                return
            elif isinstance(change, WatchFailed):
                if isinstance(change.error, k8s.NotFound | k8s.PermissionDenied):
                    yield end_message("deleted")  # gone, or no longer ours to see: either way, over
                else:
                    logger.warning("progress stream ended: %s", change.error)
                    yield end_message("error", "the cluster stopped answering; reconnect to keep following")
                return
            elif isinstance(change, StoreChange) and change.kind == "deleted":
                yield sse("deleted", {"id": change.store.metadata.name})
                yield end_message("deleted")
                return
            else:
                yield status_message(change.store)
                if is_settled(change.store):
                    yield end_message(phase_of(change.store).lower())
                    return
