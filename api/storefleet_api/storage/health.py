"""Is the Kubernetes API reachable, how fast, and does the platform namespace exist.

Boundary: two cheap read calls as the gateway. The readiness probe calls this every few seconds on
every replica, so results are cached briefly rather than hitting the API server on each probe.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from kubernetes.client import CoreV1Api, VersionApi

from storefleet_api.storage.kubernetes import KubernetesClients, NotFound, StorageError, call

_CACHE_SECONDS = 2.0


@dataclass(frozen=True)
class KubernetesHealth:
    reachable: bool
    latency_ms: float | None
    namespace_present: bool | None
    detail: str = ""


class HealthProbe:
    def __init__(self, clients: KubernetesClients, namespace: str) -> None:
        self._version = VersionApi(clients.admin)
        self._core = CoreV1Api(clients.admin)
        # Probes must answer fast: a slow API server counts as unreachable for readiness purposes.
        self._timeout = (min(2.0, clients.request_timeout[0]), min(3.0, clients.request_timeout[1]))
        self.namespace = namespace
        self._cached: tuple[float, KubernetesHealth] | None = None
        self._lock = asyncio.Lock()

    async def check(self) -> KubernetesHealth:
        async with self._lock:  # one probe in flight; concurrent callers share its answer
            if self._cached and time.monotonic() - self._cached[0] < _CACHE_SECONDS:
                return self._cached[1]
            result = await self._check_now()
            self._cached = (time.monotonic(), result)
            return result

    async def _check_now(self) -> KubernetesHealth:
        started = time.monotonic()
        try:
            await call(self._version.get_code, _request_timeout=self._timeout)
        except StorageError as error:
            return KubernetesHealth(False, None, None, str(error))
        latency = round((time.monotonic() - started) * 1000, 1)
        try:
            await call(self._core.read_namespace, self.namespace, _request_timeout=self._timeout)
        except NotFound:
            return KubernetesHealth(True, latency, False, f"namespace {self.namespace} does not exist")
        except StorageError as error:
            return KubernetesHealth(True, latency, None, f"cannot read namespace {self.namespace}: {error}")
        return KubernetesHealth(True, latency, True)
