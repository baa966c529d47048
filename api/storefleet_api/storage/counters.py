"""Login counters (failures per account, attempts per client address) and the per-tenant store
creation cooldown, kept as ConfigMaps, so every gateway replica sees the same numbers.

Boundary: Kubernetes I/O only; what a counter *means* is decided in `services.limits`. Each update
reads the ConfigMap, applies a pure function, and writes it back with the resourceVersion it read:
a concurrent writer makes the write fail with 409 and the whole step is retried on fresh data.
Names carry a hash of the key, never the email or address itself. To unlock an account by hand,
delete its `sf-login-failures-*` ConfigMap.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import random
import time
from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from kubernetes.client import CoreV1Api, V1ConfigMap, V1DeleteOptions, V1ObjectMeta, V1Preconditions

from storefleet_api.models.limits import Counter
from storefleet_api.storage.kubernetes import Conflict, KubernetesClients, NotFound, Unavailable, call
from storefleet_api.storage.users import MANAGED_BY

R = TypeVar("R")

COUNTER_LABEL = "storefleet.io/counter"
_MAX_ATTEMPTS = 25  # ten replicas hammering one counter settle well within this


class CounterKind(StrEnum):
    LOGIN_FAILURES = "login-failures"
    LOGIN_RATE = "login-rate"
    REGISTER_RATE = "register-rate"
    STORE_COOLDOWN = "store-cooldown"  # per tenant: the last store creation, so replicas agree


def counter_name(kind: CounterKind, key: str) -> str:
    return f"sf-{kind.value}-{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def _to_data(counter: Counter) -> dict[str, str]:
    return {
        "count": str(counter.count),
        "window-start": repr(counter.window_start),
        "window-seconds": repr(counter.window_seconds),
        "locked-until": repr(counter.locked_until),
        "expires-at": repr(counter.expires_at),
    }


def _from_data(data: dict[str, str]) -> Counter | None:
    try:
        return Counter(
            count=int(data["count"]),
            window_start=float(data["window-start"]),
            window_seconds=float(data["window-seconds"]),
            locked_until=float(data.get("locked-until", "0")),
        )
    except (KeyError, ValueError):
        return None  # hand-edited into nonsense: treat as absent, the next write repairs it


class CounterStore:
    """Counters in the platform namespace, updated with optimistic concurrency."""

    def __init__(self, clients: KubernetesClients, namespace: str) -> None:
        self._api = CoreV1Api(clients.admin)
        self._timeout = clients.request_timeout
        self.namespace = namespace

    async def _read(self, name: str) -> tuple[Counter | None, str | None]:
        try:
            found = await call(
                self._api.read_namespaced_config_map, name, self.namespace, _request_timeout=self._timeout
            )
        except NotFound:
            return None, None
        return _from_data(found.data or {}), (found.metadata.resource_version if found.metadata else None)

    async def read(self, kind: CounterKind, key: str) -> Counter | None:
        counter, _ = await self._read(counter_name(kind, key))
        return counter

    async def update(
        self, kind: CounterKind, key: str, step: Callable[[Counter | None, float], tuple[Counter, R]]
    ) -> R:
        """Apply `step(current, now)` atomically and return its verdict; unchanged state is not written."""
        name = counter_name(kind, key)
        for attempt in range(_MAX_ATTEMPTS):
            current, version = await self._read(name)
            new, verdict = step(current, time.time())
            if new == current:
                return verdict
            body = V1ConfigMap(
                metadata=V1ObjectMeta(
                    name=name,
                    namespace=self.namespace,
                    labels={COUNTER_LABEL: kind.value, **MANAGED_BY},
                    resource_version=version,
                ),
                data=_to_data(new),
            )
            try:
                if version is None:
                    await call(
                        self._api.create_namespaced_config_map, self.namespace, body, _request_timeout=self._timeout
                    )
                else:
                    await call(
                        self._api.replace_namespaced_config_map,
                        name,
                        self.namespace,
                        body,
                        _request_timeout=self._timeout,
                    )
                return verdict
            except (Conflict, NotFound):
                # Someone else wrote (or deleted) it first: back off a little, then decide again.
                await asyncio.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # noqa: S311 - jitter, not crypto
        raise Unavailable(f"counter {name} stayed contended for {_MAX_ATTEMPTS} attempts")

    async def reset(self, kind: CounterKind, key: str) -> None:
        with contextlib.suppress(NotFound):
            await call(
                self._api.delete_namespaced_config_map,
                counter_name(kind, key),
                self.namespace,
                _request_timeout=self._timeout,
            )

    async def sweep(self) -> int:
        """Delete counters whose windows and locks are over; returns how many went."""
        page = await call(
            self._api.list_namespaced_config_map,
            self.namespace,
            label_selector=COUNTER_LABEL,
            _request_timeout=self._timeout,
        )
        now, removed = time.time(), 0
        for item in page.items:
            try:
                expires = float((item.data or {}).get("expires-at", "0"))
            except ValueError:
                expires = 0.0  # unreadable: nothing depends on it any more
            if expires > now or item.metadata is None or item.metadata.name is None:
                continue
            options = V1DeleteOptions(preconditions=V1Preconditions(resource_version=item.metadata.resource_version))
            try:
                await call(
                    self._api.delete_namespaced_config_map,
                    item.metadata.name,
                    self.namespace,
                    body=options,
                    _request_timeout=self._timeout,
                )
                removed += 1
            except (Conflict, NotFound):
                pass  # updated or removed by a request or another replica meanwhile
        return removed
