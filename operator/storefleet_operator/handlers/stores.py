"""kopf handlers for Stores: a worker per Store (a kopf daemon) and the deletion handler.

Thin on purpose: the decisions live in ``storefleet_operator.store`` (observe → decide → act) and the
I/O in the adapters. The worker starts for every Store kopf sees, new or existing (so an operator
restart resumes every store where it was), and kopf stops it when the Store is being deleted; the
deletion handler then uninstalls the release and removes the namespace behind the finalizer
(``contract.FINALIZER``: the gateway writes it with the Store, kopf adds it to others). A Store whose spec
cannot be parsed is parked as Failed/Stalled with reason InvalidSpec until its spec changes: the worker
waits rather than raising ``kopf.PermanentError``, which would stop it for good and ignore the fix.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

import kopf

from storefleet_operator import contract, naming
from storefleet_operator.adapters.audit_store import AuditRecord
from storefleet_operator.adapters.audit_writer import AuditWriter
from storefleet_operator.observability import log_context
from storefleet_operator.store.drift import drifted_store
from storefleet_operator.store.runtime import StoreRuntime
from storefleet_operator.store.status import Event

AUDIT_SOURCE: Final = "storefleet-operator"
"""The `source` of operator events in the audit log; kopf posts Events with the same component."""

STOP_GRACE_SECONDS: Final = 15.0
"""After a Store's deletion starts, its worker gets this long to finish the current step (a helm call,
one setup command) before kopf cancels it; pyhelm3 then terminates helm."""


@kopf.on.startup()
async def build_store_runtime(memo: kopf.Memo, **_: Any) -> None:
    # Runs after main.configure_operator (registered first), which put the clients on memo. The runtime
    # is shared: kopf gives each object a shallow copy of this memo.
    memo.store_runtime = StoreRuntime.build(memo.settings, memo.api, memo.helm, memo.metrics)


def _poster(body: kopf.Body, memo: kopf.Memo) -> Any:
    """Posts each Event on the Store and, with an audit database, queues the same for it."""
    writer: AuditWriter | None = getattr(memo, "audit_writer", None)
    meta = body.get("metadata") or {}
    namespace, name = str(meta.get("namespace", "")), str(meta.get("name", ""))

    def emit(event: Event) -> None:
        kopf.event(body, type=event.type, reason=event.reason, message=event.message)
        if writer is not None:
            writer.submit(store_audit_record(namespace, name, event, datetime.now(UTC)))

    return emit


def store_audit_record(namespace: str, name: str, event: Event, now: datetime) -> AuditRecord:
    return AuditRecord(
        time=now,
        category="store",
        type=event.reason,
        severity=event.type,
        message=event.message,
        source=AUDIT_SOURCE,
        tenant=naming.tenant_from_namespace(namespace),
        store=name,
    )


def _context(body: Mapping[str, Any]) -> Any:
    meta = body.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    return log_context(
        store=f"{meta.get('namespace')}/{meta.get('name')}",
        tenant=naming.tenant_from_namespace(str(meta.get("namespace", ""))),
        correlation_id=annotations.get(contract.ANNOTATION_REQUEST_ID),
    )


@kopf.daemon(contract.GROUP, contract.VERSION, contract.STORES, cancellation_timeout=STOP_GRACE_SECONDS)
async def store_worker(body: kopf.Body, memo: kopf.Memo, stopped: kopf.DaemonStopped, **_: Any) -> None:
    runtime: StoreRuntime = memo.store_runtime
    key = f"{body['metadata']['namespace']}/{body['metadata']['name']}"

    async def wake_when_stopped() -> None:
        await stopped.wait()
        runtime.wake(key)

    waker = asyncio.create_task(wake_when_stopped())
    try:
        with _context(body):
            await runtime.work(body, lambda: bool(stopped), _poster(body, memo))
    finally:
        waker.cancel()


@kopf.on.event(contract.GROUP, contract.VERSION, contract.STORES)
async def notice_store_change(body: kopf.Body, memo: kopf.Memo, event: kopf.RawEvent, **_: Any) -> None:
    """Wakes a sleeping worker when its Store changed (spec, retry request, deletion): no polling; and
    keeps the runtime's list of watched Stores, which spares the orphan sweep a read per store."""
    runtime: StoreRuntime = memo.store_runtime
    runtime.notice(body, deleted=event.get("type") == "DELETED")
    slim_live_view(event)


def slim_live_view(event: kopf.RawEvent) -> None:
    """Drop what nothing reads from the watched object, which kopf keeps as the worker's live view for
    as long as the Store exists: ``metadata.managedFields``, the API server's record of which manager
    owns which field (20 of a Ready Store's 37 KB in memory), and ``status``, which the worker keeps
    itself between passes as JSON (``StoreRuntime._first_status``; 13 KB as dicts). Nothing in kopf
    reads either with our settings: its progress and diff-base live in annotations."""
    obj: Any = event.get("object")
    if not isinstance(obj, dict):
        return
    obj.pop("status", None)
    metadata = obj.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("managedFields", None)


OWNED_BY_A_STORE: Final = {contract.LABEL_STORE: kopf.PRESENT, contract.LABEL_STORE_NAMESPACE: kopf.PRESENT}


@kopf.on.event("v1", "namespaces", labels=OWNED_BY_A_STORE)
@kopf.on.event("apps", "v1", "deployments", labels=OWNED_BY_A_STORE)
@kopf.on.event("apps", "v1", "statefulsets", labels=OWNED_BY_A_STORE)
async def notice_drift(memo: kopf.Memo, event: kopf.RawEvent, **_: Any) -> None:
    """Wakes a resting store when its namespace or a workload changed under it (a hand-run ``kubectl
    scale``, a deleted namespace, a crashing pod): drift is seen at once instead of polled for. No
    daemon, finalizer or annotation: kopf keeps only its own record of each object (about 1.1 KB). Its
    label filter is applied on arrival, so every Namespace, Deployment and StatefulSet of the cluster
    is streamed to the operator; on a platform cluster almost all of them are stores'."""
    key = drifted_store(event.get("type"), event.get("object") or {})
    if key is not None:
        runtime: StoreRuntime = memo.store_runtime
        runtime.drifted(key)


@kopf.on.delete(contract.GROUP, contract.VERSION, contract.STORES)
async def delete_store(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    runtime: StoreRuntime = memo.store_runtime
    with _context(body):
        outcome = await runtime.delete(body, _poster(body, memo))
    if not outcome.idle:
        raise kopf.TemporaryError(f"deletion continues: {outcome.message}", delay=outcome.delay or 5.0)
