"""The store work queue: which stores get a pass, when, and what each keeps while it waits.

Every Store the watch shows is in one of three places here: *running* (one task doing passes),
*parked* (a timer and the change token it waits on) or *held* (due while kopf's peering has this
replica stand by). A store parked at rest (converged or stalled) keeps only its token and its timer,
about a kilobyte, and is read again when it wakes; one waiting between provisioning steps keeps its
object and last status, so a busy store costs no extra reads. A wake-up comes from the watch of the
Store (``notice``: its spec, a retry request, its deletion), from a watch of what it runs
(``drifted``), from the gate when a slot frees (``wake``) or from its timer. What one pass does is the
runtime's (``store.runtime``); this module only decides when it runs.

Until this queue each Store had a kopf daemon for its whole life: a task, its frames, kopf's copy of
the object and its invocation context. The operator's RSS grew by 67.8 KiB per idle store then, and
by 20 to 23 KiB with the queue (``tests/perf/test_fleet_benchmark.py``, 1000 Ready stores). The
daemon did three things this module now does itself: it started for every Store kopf listed, it was
stopped (then cancelled after a grace period) when its Store was deleted, and it stood still while
peering paused this replica (``set_active``, from ``adapters.peering``).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from storefleet_operator import contract
from storefleet_operator.adapters.kube import KubeError
from storefleet_operator.store.context import Next
from storefleet_operator.store.gate import ProvisioningGate

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS: Final = 15.0
"""A store being deleted, or a replica pausing or exiting, stops its running pass at the next step;
after this long the pass is cancelled (pyhelm3 then terminates helm)."""
RESUME_SPREAD_SECONDS: Final = 10.0
"""Stores held while this replica stood by start again spread over this long, not in one second."""
GONE: Final = Next(None, "the Store was deleted or replaced")
"""What a pass returns when its Store is gone: the store leaves the queue."""

PassOnce = Callable[
    [str, Mapping[str, Any], Mapping[str, Any], Callable[[], bool]], Awaitable[tuple[Mapping[str, Any], Next]]
]
"""One pass over a store: (key, the Store as last watched, its last status, should it stop now) ->
(the status it wrote, when to look again)."""
ReadStore = Callable[[str, str], Awaitable[dict[str, Any] | None]]
"""The Store from the API by namespace and name; None when it is gone; KubeError when unreadable."""


def change_token(body: Mapping[str, Any]) -> tuple[object, ...]:
    """What makes a parked store look again at once: spec (generation), a retry request, deletion."""
    meta = body.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    return (meta.get("generation"), annotations.get(contract.ANNOTATION_REQUESTED_AT), meta.get("deletionTimestamp"))


def slim(body: Mapping[str, Any]) -> dict[str, Any]:
    """The Store as a pass reads it, kept between passes of a busy store: without ``status`` (the runtime
    keeps its own, which the watch may lag behind) and ``metadata.managedFields`` (the API server's
    record of field owners, 20 of a Ready Store's 37 KB as dicts), which nothing here reads."""
    kept = {k: v for k, v in body.items() if k != "status"}
    kept["metadata"] = {k: v for k, v in (body.get("metadata") or {}).items() if k != "managedFields"}
    return kept


def _status_json(body: Mapping[str, Any]) -> str:
    return json.dumps(dict(body.get("status") or {}), separators=(",", ":"))


@dataclass(slots=True)
class _Running:
    live: dict[str, Any] | None
    """The Store as last watched (``slim``); None until the first look of a store woken from rest."""
    task: asyncio.Task[None] | None = None
    woken: bool = False
    """A wake-up came during the pass: pass again at once instead of parking."""


@dataclass(slots=True)
class _Parked:
    handle: asyncio.TimerHandle
    token: tuple[object, ...]
    resting: bool
    """Converged or stalled (an idle wait): a drift wakes it, and nothing but its token is kept."""
    live: dict[str, Any] | None
    status: str | None


@dataclass
class StoreQueue:
    gate: ProvisioningGate
    """Provisioning slots: a store leaving the queue frees its slot, and a freed slot wakes the next
    waiter (``on_turn``)."""
    run_pass: PassOnce
    read_store: ReadStore
    rest_delay: Callable[[], float]
    """Seconds until a store at rest looks again anyway (the runtime's ``idle_resync``)."""
    retry_delay: float
    """Seconds until a store looks again after a pass failed unexpectedly (half that for an unreadable Store)."""
    rested: Callable[[str], None] = lambda _key: None
    """Told when a store parks at rest (the runtime drops its lock, kept only while a store works)."""
    rand: Callable[[], float] = random.random  # spread of resumed stores only
    _watched: dict[str, str] = field(default_factory=dict)
    """The uid of every Store the watch has shown and not yet shown deleted, by key (``watches``)."""
    _running: dict[str, _Running] = field(default_factory=dict)
    _parked: dict[str, _Parked] = field(default_factory=dict)
    _held: set[str] = field(default_factory=set)
    """Stores that came due while this replica stood by (``set_active``)."""
    _active: bool = True
    _closing: bool = False
    _origin: contextvars.Context | None = None
    """The context of the watch that fed the queue: kopf posts Events through context variables it
    sets for its handlers, so every pass runs in a copy of it, whoever woke the store."""

    def __post_init__(self) -> None:
        self.gate.on_turn = self.wake

    # ---------- what wakes a store ----------
    def notice(self, body: Mapping[str, Any], *, deleted: bool = False) -> None:
        """Called for every watch event of a Store, the listings at start and after a pause included:
        start a store seen for the first time, and wake a parked one when what it waits on changed.
        Our own status writes change no token, so they wake nobody."""
        meta = body.get("metadata") or {}
        key = f"{meta.get('namespace')}/{meta.get('name')}"
        uid = meta.get("uid")
        if self._origin is None:
            self._origin = contextvars.copy_context()
        if deleted:
            if self._watched.get(key) == uid:
                del self._watched[key]
                self._forget(key)
            return
        if not uid:
            return
        self._watched[key] = str(uid)
        token = change_token(body)
        running = self._running.get(key)
        if running is not None:
            running.live = slim(body)
            if token[2]:
                self._cancel_later(key)  # being deleted: the pass stops at its next step
            return
        parked = self._parked.get(key)
        if parked is not None and parked.token == token:
            return
        self._unpark(key)
        if token[2]:
            self._held.discard(key)
            self.gate.release(key)
            return  # being deleted: the deletion handler takes over
        # A busy store's own last status is newer than the watch's (its writes may not have come back).
        status = parked.status if parked is not None and parked.status is not None else _status_json(body)
        self._start(key, slim(body), status)

    def wake(self, key: str) -> None:
        """Look at the store again now: a slot may have become free for it, or something changed."""
        running = self._running.get(key)
        if running is not None:
            running.woken = True
            return
        parked = self._unpark(key)
        if parked is not None:
            self._start(key, parked.live, parked.status)

    def drifted(self, key: str) -> None:
        """Something the store runs changed under it (``store.drift`` read a watch event of its namespace
        or a workload): a store at rest looks again now rather than at its idle re-look. A store in the
        middle of provisioning is left alone: it looks again within seconds anyway, and its own install
        and rollout cause these changes."""
        parked = self._parked.get(key)
        if parked is not None and parked.resting:
            self.wake(key)

    def watches(self, namespace: str, name: str, uid: str) -> bool:
        """Does the watch show the Store ``namespace/name`` with this uid now (the orphan sweep asks)?"""
        return self._watched.get(f"{namespace}/{name}") == uid

    def set_active(self, active: bool) -> None:
        """Peering lets this replica work (True) or has it stand by for another one (False). Standing by,
        running passes stop at their next step (cancelled after the grace period) and stores that come
        due are held; when it may work again they start, spread over a few seconds."""
        if active == self._active:
            return
        self._active = active
        loop = asyncio.get_running_loop()
        if active:
            for key in list(self._held):
                loop.call_later(self.rand() * RESUME_SPREAD_SECONDS, self._resume, key)
            return
        for key in list(self._running):
            self._cancel_later(key)

    async def close(self) -> None:
        """The operator is exiting: no new pass starts, and running ones get the grace period."""
        self._closing = True
        for key in list(self._parked):
            self._unpark(key)
        tasks = [r.task for r in self._running.values() if r.task is not None]
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    @property
    def counts(self) -> tuple[int, int, int]:
        """(running, parked, held) stores; the unit tests read it."""
        return len(self._running), len(self._parked), len(self._held)

    # ---------- running and parking ----------
    def _start(self, key: str, live: dict[str, Any] | None, status: str | None) -> None:
        if self._closing or key in self._running:
            return
        if not self._active:
            self._held.add(key)
            return
        self._held.discard(key)
        running = self._running[key] = _Running(live)
        context = self._origin.copy() if self._origin is not None else None
        running.task = asyncio.get_running_loop().create_task(
            self._run(key, running, status), name=f"store {key}", context=context
        )

    def _resume(self, key: str) -> None:
        if key in self._held and key in self._watched:
            self._start(key, None, None)

    def _stopping(self, key: str) -> bool:
        running = self._running.get(key)
        live = running.live if running is not None else None
        return (
            self._closing
            or not self._active
            or key not in self._watched
            or (live is not None and bool(change_token(live)[2]))
        )

    def _cancel_later(self, key: str) -> None:
        running = self._running.get(key)
        if running is not None and running.task is not None:
            asyncio.get_running_loop().call_later(STOP_GRACE_SECONDS, self._cancel_if_stopping, key, running.task)

    def _cancel_if_stopping(self, key: str, task: asyncio.Task[None]) -> None:
        """Cancel a pass still running after the grace period, unless what stopped it is over (a short
        stand-by): then it goes on."""
        if not task.done() and self._stopping(key):
            task.cancel()

    def _unpark(self, key: str) -> _Parked | None:
        parked = self._parked.pop(key, None)
        if parked is not None:
            parked.handle.cancel()
        return parked

    def _park(self, key: str, nxt: Next, token: tuple[object, ...], live: dict[str, Any], status: str) -> None:
        resting = nxt.delay is None
        delay = self.rest_delay() if resting else float(nxt.delay or 0.0)
        handle = asyncio.get_running_loop().call_later(delay, self._due, key)
        if resting:
            self._parked[key] = _Parked(handle, token, True, None, None)
            self.rested(key)
        else:
            self._parked[key] = _Parked(handle, token, False, live, status)

    def _due(self, key: str) -> None:
        parked = self._parked.pop(key, None)
        if parked is not None:
            self._start(key, parked.live, parked.status)

    def _forget(self, key: str) -> None:
        """The Store is gone: nothing of it stays here (a running pass finds it gone and ends)."""
        self._unpark(key)
        self._held.discard(key)
        self.gate.release(key)
        self._cancel_later(key)

    async def _run(self, key: str, running: _Running, status: str | None) -> None:
        """Passes over one store until it parks, is gone or is stopped."""
        parked = False
        try:
            if running.live is None or status is None:
                fresh = await self._look_up(key)
                if fresh is None:
                    return
                running.live = running.live or slim(fresh)
                status = status if status is not None else _status_json(fresh)
            while not self._stopping(key):
                live = running.live
                assert live is not None  # set above, and notice only replaces it
                token = change_token(live)
                # A wake-up that came before this pass (the gate freeing a slot while the store was
                # provisioning) is answered by this pass; left set, it would cost an extra pass right
                # after the store went idle. Wake-ups and changes during the pass still count.
                running.woken = False
                written, nxt = await self.run_pass(key, live, json.loads(status), lambda: self._stopping(key))
                status = json.dumps(written, separators=(",", ":"))
                if nxt is GONE:
                    return  # deleted or replaced under us: the deletion handler (if any) takes over
                if nxt.delay == 0 or running.woken or change_token(running.live) != token:
                    continue
                if self._stopping(key):
                    break
                self._park(key, nxt, token, running.live, status)
                parked = True
                return
            if not self._active and not self._closing and key in self._watched:
                self._held.add(key)
        except asyncio.CancelledError:
            if not self._closing and key in self._watched and not change_token(running.live or {})[2]:
                self._held.add(key)  # cancelled standing by: held like a store that stopped in time
            raise
        except Exception:
            # A bug of ours must not leave the store neither running nor parked, looked at by nobody.
            log.exception("store %s: unexpected error between passes; looking again later", key)
            if running.live is not None and status is not None and not self._stopping(key):
                retry = Next(self.retry_delay, "unexpected error")
                self._park(key, retry, change_token(running.live), running.live, status)
                parked = True
        finally:
            if self._running.get(key) is running:
                del self._running[key]
            if not parked:
                self.gate.release(key)
            if key in self._held and self._active and not self._closing:
                # The stand-by that stopped it is over already: no wait for a listing that may not come.
                asyncio.get_running_loop().call_soon(self._resume, key)

    async def _look_up(self, key: str) -> dict[str, Any] | None:
        """The Store from the API, for a store woken from rest (nothing of it was kept); None when it is
        gone. An unreadable Store is asked again rather than started from an empty status, which would
        rewrite its history."""
        namespace, name = key.split("/", 1)
        while not self._stopping(key):
            try:
                return await self.read_store(namespace, name)
            except KubeError as exc:
                log.warning("store %s: cannot read it, asking again: %s", key, exc)
                await asyncio.sleep(self.retry_delay / 2)  # as a failed look waits
        return None
