"""StoreReconciler: one observe → decide → act pass over a Store; status is always written at the end.

A pass gathers what exists (through the adapters), builds a snapshot (pure ``observe``), picks one action
(pure ``decide``) and runs it. An action that knows exactly what it changed says so (``decide_again``):
the pass applies that to what it gathered and decides again, without reading (at most ``MAX_CHAINED``
actions). Then — whatever happened, failure or cancellation included — it writes the status once and
posts the pass's Events. It returns when the store should be looked at again; the work queue in
``queue.py`` does the waiting.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from storefleet_operator import naming
from storefleet_operator.adapters.helm import HelmFailed
from storefleet_operator.adapters.kube import KubeError
from storefleet_operator.models import Reason, Store, StoreStatus, mark_stalled
from storefleet_operator.retry import Backoff
from storefleet_operator.store import decide as d
from storefleet_operator.store import observe as obs
from storefleet_operator.store import status as st
from storefleet_operator.store import values as vals
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.actions.finish import Finish
from storefleet_operator.store.context import IDLE, Deps, Next, Pass, StepFailed
from storefleet_operator.store.failures import record_failure
from storefleet_operator.store.guard import StoreGone, why_not_wanted
from storefleet_operator.store.snapshot import Desired, Snapshot
from storefleet_operator.store.status import Event

log = logging.getLogger(__name__)
Emit = Callable[[Event], None]


@dataclass(frozen=True)
class PassResult:
    action: Action
    next: Next
    status: StoreStatus
    gone: bool = False
    """The Store was deleted or replaced during the pass: the queue has nothing more to do for it."""
    patch: Mapping[str, object] | None = None
    """The status patch the pass ended with (``status.status_patch``), as written or found unchanged;
    None when nothing was written: the Store was gone, or not to be worked on yet (no finalizer)."""


NOTHING_OBSERVED: Final = obs.Raw(None, False, False, (), (), None)
MAX_CHAINED: Final = 6
"""Actions one pass may run back to back (a new store: EnsureNamespace, EnsureCredentials, Install; a
rolled-out one: WaitRollout, ConfigureEngine, PublishUrls, MarkReady). A bound, so a bug that keeps
saying "decide again" costs a few actions and a log line, never a loop."""


class StoreReconciler:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self._written: dict[str, bytes] = {}
        """A digest of the last status patch written per Store uid: an identical one is not sent again.
        A digest, not the patch: with a thousand idle stores the patches were ~13 MiB of dicts."""

    def waiting_in_line(self, store: Store, status: StoreStatus, key: str) -> bool:
        """A store that never started provisioning (phase Requested; only a slot holder ever writes
        Provisioning) while no slot is free for it: its pass can only decide Queue, so it observes
        nothing. With a backlog of hundreds this is what keeps a queued store free."""
        if store.metadata.deletion_timestamp is not None or status.phase not in (None, "Requested"):
            return False
        return not self.deps.gate.view(key).available

    # ---------- observing ----------
    def desired(self, store: Store) -> tuple[Desired | None, str | None]:
        settings = self.deps.settings
        try:
            host = vals.store_host(store, settings.store_domain_suffix)
            values = vals.layered(
                *vals.load_values_files(settings.values_files),
                vals.extra_values_for(store, settings.extra_values),
                vals.store_values(store, host=host, baked_images=settings.baked_images),
            )
            chart = vals.chart_reference(settings.chart_path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return None, str(exc)
        return Desired(values, vals.values_digest(values, chart), chart, host), None

    async def gather(self, store: Store, namespace: str) -> obs.Raw:
        kube, release = self.deps.kube, store.metadata.name
        ns = await kube.read_namespace(namespace)
        if ns is None:
            return obs.Raw(None, False, False, (), (), None)
        secret = naming.credentials_secret_name(release)
        reader = f"{release}-credentials-reader"
        history, secret_present, access, workloads, ingress = await asyncio.gather(
            kube.release_history(namespace, release),
            kube.secret_exists(namespace, secret),
            kube.rolebinding_exists(namespace, reader),
            kube.list_workloads(namespace, release),
            kube.read_ingress(namespace, release),
        )
        return obs.Raw(ns, secret_present, access, history, workloads, ingress)

    # ---------- one pass ----------
    def snapshot(
        self, store: Store, raw: obs.Raw, desired: Desired | None, desired_error: str | None, key: str
    ) -> Snapshot:
        deps, settings = self.deps, self.deps.settings
        namespace, release = naming.store_namespace(store.metadata.namespace, store.metadata.name), store.metadata.name
        return obs.observe(
            store,
            raw,
            desired=desired,
            desired_error=desired_error,
            lock=obs.Lock(
                deps.helm.in_flight(namespace, release),
                deps.helm.started_at,
                timedelta(seconds=settings.helm_timeout_seconds),
                interrupted=deps.helm.interrupted(namespace, release),
            ),
            slot=deps.gate.view(key),
            security_level=obs.pod_security_level(store.spec.engine, settings.pod_security_level),
            max_attempts=settings.step_max_attempts,
            ingress_port=settings.ingress_port,
            now=deps.clock(),
        )

    async def run_pass(
        self, store: Store, *, emit: Emit, deadline: float, stopping: Callable[[], bool] = lambda: False
    ) -> PassResult:
        """Observe, decide, act; while the action says what it changed (``Next.observed``), decide again
        on that and act again, up to ``MAX_CHAINED`` actions, without reading. Then write once."""
        deps, now = self.deps, self.deps.clock()
        status, events = st.begin_pass(store, now)
        store = store.model_copy(update={"status": status})
        namespace = naming.store_namespace(store.metadata.namespace, store.metadata.name)
        key = f"{store.metadata.namespace}/{store.metadata.name}"
        if self.waiting_in_line(store, status, key):
            # It can only queue: nothing to read, and no chart values to build (a backlog's cost).
            desired, desired_error, raw = None, None, NOTHING_OBSERVED
        else:
            desired, desired_error = self.desired(store)
            raw = await self.gather(store, namespace)
        snapshot = self.snapshot(store, raw, desired, desired_error, key)
        action = d.decide(snapshot)
        if action.needs_slot:
            # decide() saw it available (or resuming) and nothing awaited since
            deps.gate.acquire(key, resuming=snapshot.resuming)

        async def checkpoint() -> None:
            await self.write(store, p.status)

        async def confirm_wanted() -> None:
            refusal = why_not_wanted(await deps.kube.read_store(*key.split("/", 1)), store.metadata.uid)
            if refusal is not None:
                raise refusal

        p = Pass(
            store,
            snapshot,
            status,
            checkpoint,
            deadline,
            stopping=stopping,
            events=events,
            confirm_wanted=confirm_wanted,
        )
        before = status.steps
        gone: StoreGone | None = None
        patch: Mapping[str, object] | None = None
        actions = [action]
        try:
            nxt = await action.run(p, deps)
            while nxt.observed is not None and len(actions) < MAX_CHAINED:
                if deps.monotonic() > deadline or stopping():
                    break
                raw = nxt.observed(raw)
                now_as_made = p.store.model_copy(update={"status": p.status})
                p.snapshot = self.snapshot(now_as_made, raw, desired, desired_error, key)
                action = d.decide(p.snapshot)
                if action.needs_slot and not deps.gate.acquire(key, resuming=p.snapshot.resuming):
                    break  # cannot happen while this pass holds the slot; the next pass queues it
                actions.append(action)
                nxt = await action.run(p, deps)
        except StoreGone as refusal:
            gone, nxt = refusal, IDLE if refusal.retry_in is None else Next(refusal.retry_in, refusal.message)
        except StepFailed as failure:
            nxt = self._failed(p, failure)
        except (KubeError, HelmFailed) as exc:
            # A call no action answers for as a step failure (the fresh read of the Store, say): what
            # the pass did until then is written and posted below, and handed back to the queue, so
            # the next pass goes on from there instead of accepting the store a second time.
            log.warning("store %s: %s", key, exc)
            nxt = self.unreachable(exc)
        finally:
            deps.telemetry.steps_finished(store.spec.engine, before, p.status.steps)
            if gone is None:  # also on cancellation: the pass's status and events always go out
                deps.telemetry.phase(key, p.status.phase, store.spec.engine)
                patch = await self.write(store, p.status)
                request_id = st.correlation_id(store)
                for event in p.events:
                    emit(st.with_correlation(event, request_id))
        if gone is not None or isinstance(action, Finish):
            self._written.pop(store.metadata.uid or "", None)
        ran = " -> ".join(type(a).__name__ for a in actions)
        if gone is not None:
            # Nothing was made and nothing is written: a deleted Store has no status to write, and a
            # deleting one is described by the deletion handler.
            deps.gate.release(key)
            if gone.retry_in is None:
                deps.telemetry.forget(key)
            log.info("store %s: %s; %s not started", key, gone.message, ran)
            return PassResult(action, nxt, p.status, gone=gone.retry_in is None)
        log.info("store %s: %s, next look in %s", key, ran, "idle" if nxt.idle else f"{nxt.delay:.1f} s")
        return PassResult(action, nxt, p.status, patch=patch)

    def unreachable(self, exc: Exception) -> Next:
        """When to look again after the API server or helm could not answer: half the longest retry."""
        return Next(self.deps.settings.retry_max_delay_seconds / 2, str(exc))

    def _failed(self, p: Pass, failure: StepFailed) -> Next:
        settings = self.deps.settings
        recorded = record_failure(
            p.status,
            step=failure.step,
            reason=failure.reason,
            message=failure.message,
            permanent=failure.permanent,
            final=failure.final,
            attempts=failure.attempts,
            max_attempts=settings.step_max_attempts,
            backoff=Backoff(settings.retry_base_delay_seconds, settings.retry_max_delay_seconds),
            rand=self.deps.rand(),
            generation=p.generation,
            now=self.deps.clock(),
        )
        p.status = recorded.status
        p.emit(recorded.event)
        self.deps.telemetry.step_failed(p.store.spec.engine, failure.step, failure.reason)
        log.warning("store %s: step %s failed (%s): %s", p.snapshot.key, failure.step, failure.reason, failure.message)
        return Next(recorded.delay, failure.message)

    async def write(self, store: Store, status: StoreStatus) -> dict[str, object]:
        """Write the status once per pass, and only when it differs from what this process last wrote.
        Returns the patch (also when it was not sent: unchanged, or the write failed)."""
        patch = st.status_patch(status, store.metadata.generation)
        uid = store.metadata.uid or ""
        digest = _digest(patch)
        if uid and self._written.get(uid) == digest:
            return patch
        try:
            await self.deps.kube.patch_store_status(
                store.metadata.namespace, store.metadata.name, patch, uid=store.metadata.uid
            )
            if uid:
                self._written[uid] = digest
        except Exception as exc:  # the next pass writes the newer status anyway; never lose the pass
            log.warning("store %s/%s: cannot write status: %s", store.metadata.namespace, store.metadata.name, exc)
        return patch

    # ---------- a Store that cannot be parsed ----------
    async def reject(self, body: Mapping[str, Any], message: str, emit: Emit) -> dict[str, object]:
        """Failed/Stalled with reason InvalidSpec and the parser's message; nothing is provisioned."""
        meta = body.get("metadata") or {}
        try:
            status = StoreStatus.model_validate(body.get("status") or {})
        except ValueError:
            status = StoreStatus()
        generation = meta.get("generation")
        now = self.deps.clock()
        stalled = next((c for c in status.conditions if c.type == "Stalled"), None)
        if stalled is None or stalled.message != message or stalled.observed_generation != generation:
            status = st.transition(status, "Failed", Reason.INVALID_SPEC, message, now)
            status = status.model_copy(
                update={
                    "conditions": mark_stalled(
                        status.conditions, Reason.INVALID_SPEC, message, generation=generation, now=now
                    )
                }
            )
            emit(st.warning(Reason.INVALID_SPEC, message))
        patch = st.status_patch(status, generation)
        try:
            await self.deps.kube.patch_store_status(meta["namespace"], meta["name"], patch)
        except Exception as exc:
            log.warning("store %s/%s: cannot write status: %s", meta.get("namespace"), meta.get("name"), exc)
        return patch


def _digest(patch: Mapping[str, object]) -> bytes:
    """A short fingerprint of a status patch (equal patches, equal digests)."""
    canonical = json.dumps(patch, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(canonical.encode(), digest_size=16).digest()
