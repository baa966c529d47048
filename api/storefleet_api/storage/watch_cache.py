"""A watch-fed, in-memory copy of one kind of object: list once, then follow a watch.

Boundary: Kubernetes reads only (a list, then watch requests, in one daemon thread). Reads from the
cache never touch the API server; the storage classes that own it write through it, so a process
always reads its own writes at once, and changes made elsewhere (another replica, kubectl) arrive
with the watch, in milliseconds. While the cache is not synced (before the first list, after the
watch broke and until it has listed again) ``synced`` is False and callers read the API instead.

Entries are kept by key (namespace and name) with their resourceVersion; an older copy never
replaces a newer one, so a watch event that lags behind our own write cannot undo it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from kubernetes.watch import Watch

logger = logging.getLogger(__name__)
T = TypeVar("T")
Key = tuple[str, str]
WINDOW_SECONDS = 300
"""One watch request lasts this long; then it is renewed from the last resourceVersion."""
RELIST_BACKOFF_SECONDS = 1.0
DENIED_BACKOFF_SECONDS = 60.0
"""Not allowed to list: say so once a minute, not every second (reads go to the API meanwhile)."""


def _version(value: str) -> int:
    # resourceVersions are opaque to clients, but etcd's are increasing integers; anything else
    # compares as 0 (then the newest arrival wins, as without this check).
    return int(value) if value.isdigit() else 0


@dataclass(frozen=True)
class Entry(Generic[T]):
    value: T
    version: str


class WatchCache(Generic[T]):
    """Objects listed by ``lister(**options)`` (a list_* method), parsed by ``parse`` (None skips one)."""

    def __init__(self, name: str, lister: Callable[..., Any], parse: Callable[[dict[str, Any]], T | None]) -> None:
        self._name = name
        self._lister = lister
        self._parse = parse
        self._entries: dict[Key, Entry[T]] = {}
        self._lock = threading.Lock()
        self._synced = threading.Event()
        self._stopped = threading.Event()
        self._watch: Watch | None = None
        self._thread = threading.Thread(target=self._run, name=f"cache-{name}", daemon=True)

    # ---------- reads ----------
    @property
    def synced(self) -> bool:
        return self._synced.is_set()

    def get(self, namespace: str, name: str) -> T | None:
        entry = self._entries.get((namespace, name))
        return entry.value if entry is not None else None

    def values(self, namespace: str | None = None) -> list[T]:
        """Every cached object (of one namespace), ordered by namespace and name like a list call."""
        with self._lock:
            items = sorted(self._entries.items())
        return [e.value for (ns, _), e in items if namespace is None or ns == namespace]

    def counts(self) -> dict[str, int]:
        """How many objects each namespace holds."""
        with self._lock:
            return dict(Counter(ns for ns, _ in self._entries))

    # ---------- writes of our own process ----------
    def put(self, namespace: str, name: str, value: T, version: str) -> None:
        with self._lock:
            current = self._entries.get((namespace, name))
            if current is None or _version(version) >= _version(current.version):
                self._entries[(namespace, name)] = Entry(value, version)

    def remove(self, namespace: str, name: str) -> None:
        with self._lock:
            self._entries.pop((namespace, name), None)

    # ---------- the watch ----------
    def start(self) -> None:
        self._thread.start()

    def wait_synced(self, timeout: float) -> bool:
        return self._synced.wait(timeout)

    def stop(self) -> None:
        self._stopped.set()
        if self._watch is not None:
            self._watch.stop()

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                version = self._relist()
                self._synced.set()
                while not self._stopped.is_set():
                    version = self._follow(version)
            except Exception as error:  # the API server restarted, a 410, a network error: list again
                if self._stopped.is_set():
                    return
                self._synced.clear()
                denied = getattr(error, "status", None) == 403  # RBAC without list/watch: reads use the API
                logger.warning("cache %s: the watch ended (%r); listing again", self._name, error)
                time.sleep(DENIED_BACKOFF_SECONDS if denied else RELIST_BACKOFF_SECONDS)

    def _relist(self) -> str:
        listing = self._lister(_preload_content=False)
        body = json.loads(listing.data)
        fresh: dict[Key, Entry[T]] = {}
        for raw in body.get("items") or []:
            self._admit(raw, fresh)
        with self._lock:
            self._entries = fresh
        return str((body.get("metadata") or {}).get("resourceVersion") or "")

    def _admit(self, raw: dict[str, Any], into: dict[Key, Entry[T]]) -> None:
        meta = raw.get("metadata") or {}
        key = (str(meta.get("namespace") or ""), str(meta.get("name") or ""))
        value = self._parse(raw)
        if value is None:
            into.pop(key, None)
        else:
            into[key] = Entry(value, str(meta.get("resourceVersion") or ""))

    def _events(self, version: str) -> Iterator[dict[str, Any]]:
        watch = Watch()
        self._watch = watch
        try:
            yield from watch.stream(
                self._lister,
                resource_version=version,
                timeout_seconds=WINDOW_SECONDS,
                allow_watch_bookmarks=True,
                _request_timeout=(10, WINDOW_SECONDS + 10),
            )
        finally:
            watch.stop()

    def _follow(self, version: str) -> str:
        """One watch request from ``version``; returns the last version seen (410 raises: relist)."""
        for event in self._events(version):
            kind, raw = event.get("type"), event.get("raw_object") or {}
            if kind == "ERROR":
                raise RuntimeError(f"watch error: {raw.get('message') or raw}")
            meta = raw.get("metadata") or {}
            version = str(meta.get("resourceVersion") or version)
            if kind == "BOOKMARK":
                continue
            key = (str(meta.get("namespace") or ""), str(meta.get("name") or ""))
            with self._lock:
                if kind == "DELETED":
                    self._entries.pop(key, None)
                else:
                    current = self._entries.get(key)
                    if current is None or _version(version) >= _version(current.version):
                        self._admit(raw, self._entries)
        return version
