"""The per-store worker loop and the deletion loop, over one shared runtime (gate, locks, adapters).

Why a worker per store (a kopf daemon) rather than retrying change handlers: waits (rollout, queue,
backoff) are plain sleeps instead of ``TemporaryError`` round-trips that kopf logs as errors; the worker
sees every change of the live object, the ``storefleet.io/requested-at`` annotation included; and kopf
stops it (and cancels it after a grace period) the moment a Store is deleted, so a delete never waits
behind a long provisioning pass. One lock per store keeps a pass and the deletion from overlapping.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from kubernetes import client
from pyhelm3 import Client as HelmClient

from storefleet_operator import contract, naming
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
from storefleet_operator.store.reconciler import Emit, StoreReconciler
from storefleet_operator.store.status import status_patch
from storefleet_operator.store.telemetry import Telemetry

log = logging.getLogger(__name__)

PASS_BUDGET_SECONDS: Final = 20.0
"""A pass hands back control (between engine setup steps) after this long, so changes are noticed."""
STOP_CHECK_SECONDS: Final = 60.0
"""A fallback only: the handler wakes a sleeping worker the moment kopf asks it to stop
(``wake``), and ``notice`` the moment its Store changes."""
DELETE_BUDGET_SECONDS: Final = 120.0
"""One deletion handler call waits this long at most before handing back to kopf to retry."""
LOCK_WAIT_SECONDS: Final = 60.0
GONE: Final = Next(None, "the Store was deleted or replaced")
TRIM_AFTER_QUIET_SECONDS: Final = 30.0
"""Freed heap goes back to the system once no store has provisioned for this long (``allocator``)."""


def change_token(body: Mapping[str, Any]) -> tuple[object, ...]:
    """What makes a waiting worker look again at once: spec (generation), a retry request, deletion."""
    meta = body.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    return (meta.get("generation"), annotations.get(contract.ANNOTATION_REQUESTED_AT), meta.get("deletionTimestamp"))


@dataclass
class StoreRuntime:
    deps: Deps
    reconciler: StoreReconciler
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _sleeping: dict[str, tuple[object, ...]] = field(default_factory=dict)
    """The change token each sleeping worker waits on; ``notice`` wakes it when the live Store differs."""
    _watched: dict[str, str] = field(default_factory=dict)
    """The uid of every Store the watch has shown and not yet shown deleted, by key (``watches``)."""
    _resting: set[str] = field(default_factory=set)
    """Workers asleep until their idle re-look: converged or stalled stores (``drifted`` wakes them)."""

    @classmethod
    def build(
        cls, settings: OperatorSettings, api: client.ApiClient, helm: HelmClient, metrics: Metrics
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
        return cls(deps, StoreReconciler(deps))

    def lock(self, key: str) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    def wake(self, key: str) -> None:
        self.deps.gate.wakeup(key).set()

    def notice(self, body: Mapping[str, Any], *, deleted: bool = False) -> None:
        """Called for every watch event of a Store (kopf updates the workers' live view first): wake its
        worker at once if what it waits on changed. Our own status writes change no token, so they
        wake nobody; a sleeping worker costs nothing until then (no polling)."""
        meta = body.get("metadata") or {}
        key = f"{meta.get('namespace')}/{meta.get('name')}"
        uid = meta.get("uid")
        if deleted:
            if self._watched.get(key) == uid:
                del self._watched[key]
        elif uid:
            self._watched[key] = str(uid)
        token = self._sleeping.get(key)
        if token is not None and change_token(body) != token:
            self.wake(key)

    def drifted(self, key: str) -> None:
        """Something the store runs changed under it (``store.drift`` read a watch event of its namespace
        or a workload): a resting store looks again now rather than at its idle re-look. A worker in the
        middle of provisioning is left alone: it looks again within seconds anyway, and its own install
        and rollout cause these changes."""
        if key in self._resting:
            self.wake(key)

    def watches(self, namespace: str, name: str, uid: str) -> bool:
        """Does the watch show the Store ``namespace/name`` with this uid now (the orphan sweep asks)?"""
        return self._watched.get(f"{namespace}/{name}") == uid

    # ---------- the worker ----------
    async def work(self, live: Mapping[str, Any], stopped: Callable[[], bool], emit: Emit) -> None:
        """Reconcile one store until told to stop. ``live`` is kopf's live view of the object."""
        meta = live["metadata"]
        namespace, name = meta["namespace"], meta["name"]
        key = f"{namespace}/{name}"
        gate = self.deps.gate
        wake = gate.wakeup(key)
        try:
            status = await self._first_status(key, live, stopped)
            while not stopped():
                token = change_token(live)
                if token[2]:  # being deleted: the deletion handler takes over
                    return
                # A wake-up that came while the worker was not asleep (the gate freeing a slot while this
                # store provisioned) is answered by this pass; left set, it would cost an extra pass
                # right after the store went idle. Changes during the pass still count: see _sleep.
                wake.clear()
                written, nxt = await self._parse_and_pass(key, live, json.loads(status), emit, stopped)
                status = json.dumps(written, separators=(",", ":"))
                if nxt is GONE:
                    return  # deleted or replaced under us: the deletion handler (if any) takes over
                await self._sleep(nxt, live, token, stopped, wake)
        finally:
            gate.release(key)

    async def _first_status(self, key: str, live: Mapping[str, Any], stopped: Callable[[], bool]) -> str:
        """The status to start from, as JSON: the API's at start, then our own last status between passes
        (the watch may lag behind our writes). The watched copy has none (handlers.stores drops it), so
        an unreadable Store is asked again rather than started from an empty status, which would rewrite
        its history. A sleeping worker keeps it as JSON: about 4 KB of JSON and 13 KB of dicts."""
        meta = live["metadata"]
        while True:
            try:
                fresh = await self.deps.kube.read_store(meta["namespace"], meta["name"])
            except KubeError as exc:
                log.warning("store %s: cannot read it, asking again: %s", key, exc)
                if stopped():
                    return "{}"
                await asyncio.sleep(self.deps.settings.retry_max_delay_seconds / 2)  # as a failed look waits
                continue
            # None: deleted since the watch showed it; the pass finds it gone before making anything.
            return json.dumps(dict((fresh or {}).get("status") or {}), separators=(",", ":"))

    async def _parse_and_pass(
        self, key: str, live: Mapping[str, Any], status: Mapping[str, Any], emit: Emit, stopped: Callable[[], bool]
    ) -> tuple[Mapping[str, Any], Next]:
        """One pass over the live object with our last status. Its own frame, so the parsed Store and
        what the pass gathered are freed before the worker sleeps: a thousand sleeping workers
        otherwise held a thousand parsed Stores."""
        body = {**dict(live), "status": dict(status)}
        try:
            store = Store.from_body(body)
        except InvalidResourceError as exc:
            return await self.reconciler.reject(body, str(exc), emit), IDLE
        return await self._pass(key, store, emit, stopped, status)

    async def _pass(
        self, key: str, store: Store, emit: Emit, stopped: Callable[[], bool], status: Mapping[str, Any]
    ) -> tuple[Mapping[str, Any], Next]:
        try:
            async with self.lock(key):
                result = await self.reconciler.run_pass(
                    store, emit=emit, deadline=self.deps.monotonic() + PASS_BUDGET_SECONDS, stopping=stopped
                )
        except (KubeError, HelmFailed) as exc:
            log.warning("store %s: cannot observe it: %s", key, exc)
            return status, Next(self.deps.settings.retry_max_delay_seconds / 2, str(exc))
        except Exception:
            log.exception("store %s: unexpected error in a reconcile pass", key)
            return status, Next(self.deps.settings.retry_max_delay_seconds, "unexpected error")
        if result.gone:
            return status, GONE
        patch = result.patch if result.patch is not None else status_patch(result.status, store.metadata.generation)
        return patch, result.next

    def idle_resync(self) -> float:
        """Seconds until an idle store is looked at again: the idle_resync_seconds setting spread by +-10%,
        or after a restart (or a burst) a thousand stores would all look again in the same second."""
        return self.deps.settings.idle_resync_seconds * (0.9 + 0.2 * self.deps.rand())

    async def _sleep(
        self,
        nxt: Next,
        live: Mapping[str, Any],
        token: tuple[object, ...],
        stopped: Callable[[], bool],
        wake: asyncio.Event,
    ) -> None:
        if nxt.delay == 0:
            return
        monotonic = self.deps.monotonic
        until = monotonic() + (self.idle_resync() if nxt.delay is None else nxt.delay)
        key = f"{live['metadata']['namespace']}/{live['metadata']['name']}"
        self._sleeping[key] = token
        if nxt.delay is None:
            self._resting.add(key)
        try:
            while not stopped() and change_token(live) == token:
                remaining = until - monotonic()
                if remaining <= 0:
                    return
                with contextlib.suppress(TimeoutError):
                    # Woken by a change of the Store (notice), a free slot (the gate) or kopf stopping
                    # the worker (wake, from the handler).
                    await asyncio.wait_for(wake.wait(), timeout=min(STOP_CHECK_SECONDS, remaining))
                    wake.clear()
                    return
        finally:
            self._sleeping.pop(key, None)
            self._resting.discard(key)

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
            # A worker of the deleted Store may still be waiting on this lock; when it gets it, its pass
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
