"""A Kubernetes watch on one Store, delivered to asyncio: the feed behind the progress stream (SSE).

Boundary: Kubernetes I/O only. The official client's watch is a blocking generator, so each watch
runs in a thread of its own: never in the shared worker pool that `storage.kubernetes.call` uses,
where a few long watches would starve every other request. The watch is opened in windows of a
bounded length and resumed from the last resourceVersion, so a stopped watcher's thread ends within
one window even if closing its socket did not wake it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal

from kubernetes.client import ApiClient, CustomObjectsApi
from kubernetes.client.exceptions import ApiException
from kubernetes.watch import Watch

from storefleet_api.storage.kubernetes import StorageError, translate
from storefleet_api.storage.stores import PLURAL, UnreadableStore, parse_store
from storefleet_operator import contract
from storefleet_operator.models import Store

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 30
"""Longest single watch request; after it the watch resumes from where it was."""


@dataclass(frozen=True)
class StoreChange:
    """One change to the watched Store: its new state, or that it is gone."""

    kind: Literal["changed", "deleted"]
    store: Store


@dataclass(frozen=True)
class WatchFailed:
    """The watch could not continue; `error` says why (e.g. access revoked, API unreachable)."""

    error: StorageError


@dataclass(frozen=True)
class WatchEnded:
    """Nothing more will come: the Store is gone, the deadline passed, or the watcher was stopped."""


_END = WatchEnded()


class StoreWatcher:
    """Watches one Store from `resource_version` on, until stopped or `deadline` (monotonic)."""

    def __init__(
        self,
        client: ApiClient,
        namespace: str,
        name: str,
        *,
        resource_version: str | None,
        deadline: float,
        connect_timeout: float,
    ) -> None:
        self._api = CustomObjectsApi(client)
        self._namespace = namespace
        self._name = name
        self._resource_version = resource_version
        self._deadline = deadline
        self._connect_timeout = connect_timeout
        self._stopped = threading.Event()
        self._watch: Watch | None = None
        self._queue: asyncio.Queue[StoreChange | WatchFailed | WatchEnded] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._run, name=f"watch-{namespace}/{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop watching; safe to call more than once, from the event loop."""
        self._stopped.set()
        if self._watch is not None:
            self._watch.stop()  # also shuts the socket down, waking a blocked read

    async def next(self, wait_seconds: float) -> StoreChange | WatchFailed | WatchEnded | None:
        """The next change; None when `wait_seconds` pass quietly; WatchEnded once nothing more comes."""
        try:
            item = await asyncio.wait_for(self._queue.get(), wait_seconds)
        except TimeoutError:
            return None
        assert isinstance(item, StoreChange | WatchFailed | WatchEnded)
        return item

    def _deliver(self, item: StoreChange | WatchFailed | WatchEnded) -> None:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            self._stopped.set()

    def _run(self) -> None:
        try:
            while not self._stopped.is_set():
                remaining = self._deadline - time.monotonic()
                if remaining <= 0:
                    break
                window = math.ceil(min(WINDOW_SECONDS, remaining))  # the stream ends itself on time
                if self._watch_once(window):
                    break
        except ApiException as error:
            self._deliver(WatchFailed(translate(error)))
        except Exception as error:  # the thread must always tell the stream why it ended
            if not self._stopped.is_set():
                logger.warning("watch on Store %s/%s failed: %r", self._namespace, self._name, error)
                self._deliver(WatchFailed(StorageError(f"the watch ended: {error.__class__.__name__}")))
        finally:
            self._deliver(_END)

    def _watch_once(self, window: int) -> bool:
        """One watch request; True when the Store is gone (nothing more will come)."""
        watch = Watch()
        self._watch = watch
        options: dict[str, Any] = {
            "field_selector": f"metadata.name={self._name}",
            "timeout_seconds": window,
            "allow_watch_bookmarks": True,
            "_request_timeout": (self._connect_timeout, window + 10),
        }
        if self._resource_version:
            options["resource_version"] = self._resource_version
        try:
            for event in watch.stream(
                self._api.list_namespaced_custom_object,
                contract.GROUP,
                contract.VERSION,
                self._namespace,
                PLURAL,
                **options,
            ):
                if self._stopped.is_set():
                    return True
                kind, body = event.get("type"), event.get("raw_object") or {}
                version = (body.get("metadata") or {}).get("resourceVersion")
                if version:
                    self._resource_version = version
                if kind in ("ADDED", "MODIFIED", "DELETED"):
                    try:
                        store = parse_store(body)
                    except UnreadableStore as error:
                        logger.warning("ignoring an unreadable version of a watched Store: %s", error)
                        continue
                    self._deliver(StoreChange("deleted" if kind == "DELETED" else "changed", store))
                    if kind == "DELETED":
                        return True
        except ApiException as error:
            if error.status != 410:
                raise
            # Our resourceVersion is older than the API server keeps: resume from "now". A change
            # in the gap is not lost: the next event carries the Store's whole current state.
            self._resource_version = None
        finally:
            watch.stop()
        return False
