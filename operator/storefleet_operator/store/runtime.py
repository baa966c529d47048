"""One shared runtime for every store (gate, locks, adapters): what one pass does, and the deletion loop.

``build`` makes the adapters and the provisioning gate once; the work queue (``store.queue``) decides
when each store gets a pass, and ``pass_once`` is that pass: the Store as last watched with our last
status, parsed, reconciled (``StoreReconciler.run_pass``) and its status written. The deletion loop
(kopf's delete handler) runs passes of a Store being deleted until it is gone. One lock per store keeps
a pass and the deletion from overlapping; a store at rest gives its lock up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from kubernetes import client
from pyhelm3 import Client as HelmClient

from storefleet_operator import naming
from storefleet_operator.adapters.execs import KubernetesExecutor
from storefleet_operator.adapters.helm import HelmFailed, StoreHelm
from storefleet_operator.adapters.kube import KubeError, StoreKube
from storefleet_operator.allocator import IdleTrim
from storefleet_operator.models import InvalidResourceError, Store
from storefleet_operator.observability import Metrics
from storefleet_operator.settings import OperatorSettings
from storefleet_operator.store.actions.finish import Finish
from storefleet_operator.store.context import IDLE, Deps, Next
from storefleet_operator.store.gate import ProvisioningGate
from storefleet_operator.store.queue import GONE, StoreQueue
from storefleet_operator.store.reconciler import Emit, StoreReconciler
from storefleet_operator.store.status import Event
from storefleet_operator.store.telemetry import Telemetry

log = logging.getLogger(__name__)

PASS_BUDGET_SECONDS: Final = 20.0
"""A pass hands back control (between engine setup steps) after this long, so changes are noticed."""
DELETE_BUDGET_SECONDS: Final = 120.0
"""One deletion handler call waits this long at most before handing back to kopf to retry."""
LOCK_WAIT_SECONDS: Final = 60.0
TRIM_AFTER_QUIET_SECONDS: Final = 30.0
"""Freed heap goes back to the system once no store has provisioned for this long (``allocator``)."""


def _quiet(_: Event) -> None:
    """Events go nowhere until the handlers attach their poster (unit tests)."""


@dataclass
class StoreRuntime:
    deps: Deps
    reconciler: StoreReconciler
    emitter: Callable[[Mapping[str, Any]], Emit] = lambda _body: _quiet
    """Makes the poster of a store's Events (``handlers.stores``: a Kubernetes Event and the audit log)."""
    scope: Callable[[Mapping[str, Any]], AbstractContextManager[object]] = lambda _body: contextlib.nullcontext()
    """The logging context of one pass (``handlers.stores``: store, tenant, correlation id)."""
    queue: StoreQueue = field(init=False)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        settings: OperatorSettings,
        api: client.ApiClient,
        helm: HelmClient,
        metrics: Metrics,
        *,
        emitter: Callable[[Mapping[str, Any]], Emit] | None = None,
        scope: Callable[[Mapping[str, Any]], AbstractContextManager[object]] | None = None,
    ) -> StoreRuntime:
        telemetry = Telemetry(metrics)
        trimmer = IdleTrim(TRIM_AFTER_QUIET_SECONDS)

        def gate_changed(depth: int, in_flight: int) -> None:
            telemetry.queue(depth, in_flight)
            trimmer.busy(depth + in_flight > 0)

        gate = ProvisioningGate(
            settings.max_concurrent_provisions, on_change=gate_changed, on_admit=telemetry.queue_waited
        )
        telemetry.queue(0, 0)
        deps = Deps(
            settings=settings,
            kube=StoreKube(api),
            helm=StoreHelm(helm),
            executor=KubernetesExecutor(api),
            gate=gate,
            telemetry=telemetry,
            clock=lambda: datetime.now(UTC),
            rand=random.random,  # jitter only
        )
        runtime = cls(deps, StoreReconciler(deps))
        if emitter is not None:
            runtime.emitter = emitter
        if scope is not None:
            runtime.scope = scope
        return runtime

    def __post_init__(self) -> None:
        self.queue = StoreQueue(
            self.deps.gate,
            run_pass=self.pass_once,
            read_store=self._read_store,
            rest_delay=self.idle_resync,
            retry_delay=self.deps.settings.retry_max_delay_seconds,
            rested=self._rested,
            rand=self.deps.rand,
        )

    def lock(self, key: str) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    async def _read_store(self, namespace: str, name: str) -> dict[str, Any] | None:
        return await self.deps.kube.read_store(namespace, name)

    def _rested(self, key: str) -> None:
        lock = self._locks.get(key)
        if lock is not None and not lock.locked():
            del self._locks[key]

    # ---------- one pass ----------
    async def pass_once(
        self, key: str, live: Mapping[str, Any], status: Mapping[str, Any], stopping: Callable[[], bool]
    ) -> tuple[Mapping[str, Any], Next]:
        """One pass over the Store as last watched with our last status (``queue.PassOnce``). Its own
        frame, so the parsed Store and what the pass gathered are freed before the store parks."""
        with self.scope(live):
            emit = self.emitter(live)
            body = {**dict(live), "status": dict(status)}
            try:
                store = Store.from_body(body)
            except InvalidResourceError as exc:
                return await self.reconciler.reject(body, str(exc), emit), IDLE
            return await self._pass(key, store, emit, status, stopping)

    async def _pass(
        self, key: str, store: Store, emit: Emit, status: Mapping[str, Any], stopping: Callable[[], bool]
    ) -> tuple[Mapping[str, Any], Next]:
        try:
            async with self.lock(key):
                result = await self.reconciler.run_pass(
                    store, emit=emit, deadline=self.deps.monotonic() + PASS_BUDGET_SECONDS, stopping=stopping
                )
        except (KubeError, HelmFailed) as exc:  # before anything was made: the status stays as it was
            log.warning("store %s: cannot observe it: %s", key, exc)
            return status, self.reconciler.unreachable(exc)
        except Exception:
            log.exception("store %s: unexpected error in a reconcile pass", key)
            return status, Next(self.deps.settings.retry_max_delay_seconds, "unexpected error")
        if result.gone:
            return status, GONE
        if result.patch is None:
            # Not started (the Store does not carry the finalizer yet): nothing was written and no
            # Event posted, so the next pass starts again from the status as it was. Handing back
            # the pass's unwritten status would make the next pass skip the Accepted Event.
            return status, result.next
        return result.patch, result.next

    def idle_resync(self) -> float:
        """Seconds until an idle store is looked at again: the idle_resync_seconds setting spread by +-10%,
        or after a restart (or a burst) a thousand stores would all look again in the same second."""
        return self.deps.settings.idle_resync_seconds * (0.9 + 0.2 * self.deps.rand())

    # ---------- deletion ----------
    async def delete(self, body: Mapping[str, Any], emit: Emit) -> Next:
        """Run deletion passes until the store is gone (IDLE) or the budget is spent (retry later)."""
        meta = body["metadata"]
        namespace, name = meta["namespace"], meta["name"]
        key = f"{namespace}/{name}"
        try:
            naming.validate_store_name(name)
        except naming.InvalidNameError:
            return IDLE  # no namespace or release can have been made for a name we cannot derive from
        lock = self.lock(key)
        try:
            await asyncio.wait_for(lock.acquire(), timeout=LOCK_WAIT_SECONDS)
        except TimeoutError:
            return Next(5.0, "waiting for the store's provisioning pass to stop")
        try:
            outcome = await self._delete_passes(namespace, name, body, emit)
        finally:
            lock.release()
        if outcome.idle:
            # A pass of the deleted Store may still be waiting on this lock; when it gets it, its pass
            # finds the Store gone before making anything (guard.py), and its status write carries the
            # old uid as a precondition, so it can never touch a new Store of the same name.
            self._locks.pop(key, None)
        return outcome

    async def _delete_passes(self, namespace: str, name: str, body: Mapping[str, Any], emit: Emit) -> Next:
        fresh = await self.deps.kube.read_store(namespace, name)
        current = dict(fresh if fresh is not None else body)
        started = self.deps.monotonic()
        while True:
            result = await self.reconciler.run_pass(
                _deletable(current), emit=emit, deadline=self.deps.monotonic() + PASS_BUDGET_SECONDS
            )
            if isinstance(result.action, Finish):
                return IDLE
            current["status"] = result.status.model_dump(mode="json", exclude_none=True)
            if self.deps.monotonic() - started > DELETE_BUDGET_SECONDS:
                return Next(result.next.delay or 5.0, result.next.message)
            if result.next.delay:
                await asyncio.sleep(result.next.delay)


def _deletable(body: Mapping[str, Any]) -> Store:
    """The Store to delete; a spec that no longer parses still names the namespace and release."""
    try:
        return Store.from_body(body)
    except InvalidResourceError:
        spec = body.get("spec") or {}
        engine = spec.get("engine") if spec.get("engine") in ("woocommerce", "medusa") else "woocommerce"
        fallback = {**dict(body), "spec": {"engine": engine, "displayName": body["metadata"]["name"]}}
        fallback.pop("status", None)
        return Store.from_body(fallback)
