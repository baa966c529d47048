"""kopf handlers for Stores: the watch that feeds the store work queue, and the deletion handler.

Thin on purpose: the decisions live in ``storefleet_operator.store`` (observe → decide → act) and the
I/O in the adapters. Every watch event of a Store goes to the work queue (``StoreQueue.notice``),
the listing at start included, so an operator restart resumes every store where it was; a Store
being deleted stops its pass, and the deletion handler then uninstalls the release and removes the
namespace behind the finalizer (``contract.FINALIZER``: the gateway writes it with the Store, kopf adds
it to others). A Store whose spec cannot be parsed is parked as Failed/Stalled with reason InvalidSpec
until its spec changes. With peering, ``adapters.peering`` tells the queue when this replica may work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final, cast

import kopf

from storefleet_operator import contract, naming
from storefleet_operator.adapters.audit_store import AuditRecord
from storefleet_operator.adapters.audit_writer import AuditWriter
from storefleet_operator.adapters.kube import StoreKube
from storefleet_operator.adapters.peering import PeeringFollower, PeeringIdentity
from storefleet_operator.observability import log_context
from storefleet_operator.store.drift import drifted_store
from storefleet_operator.store.runtime import StoreRuntime
from storefleet_operator.store.status import Event

AUDIT_SOURCE: Final = "storefleet-operator"
"""The `source` of operator events in the audit log; kopf posts Events with the same component."""


@kopf.on.startup()
async def build_store_runtime(memo: kopf.Memo, **_: Any) -> None:
    # Runs after main.configure_operator (registered first), which put the clients on memo. The runtime
    # is shared: kopf gives each object a shallow copy of this memo.
    runtime = StoreRuntime.build(
        memo.settings, memo.api, memo.helm, memo.metrics, emitter=lambda body: _poster(body, memo), scope=_context
    )
    memo.store_runtime = runtime
    peering: PeeringIdentity | None = getattr(memo, "peering", None)
    memo.peering_follower = None
    if peering is not None:
        kube = StoreKube(memo.api)
        follower = PeeringFollower(
            read=lambda: kube.read_cluster_peering(peering.name),
            identity=peering.identity,
            priority=peering.priority,
            on_change=runtime.queue.set_active,
        )
        runtime.queue.set_active(False)  # until the first look says otherwise, as kopf starts paused
        memo.peering_follower = asyncio.create_task(follower.run(), name="peering follower")


@kopf.on.cleanup()
async def stop_peering_follower(memo: kopf.Memo, **_: Any) -> None:
    # The runtime itself is closed by main.close_clients, before the clients its passes use.
    follower: asyncio.Task[None] | None = getattr(memo, "peering_follower", None)
    if follower is not None:
        follower.cancel()


def _poster(body: Mapping[str, Any], memo: kopf.Memo) -> Any:
    """Posts each Event on the Store and, with an audit database, queues the same for it."""
    writer: AuditWriter | None = getattr(memo, "audit_writer", None)
    meta = body.get("metadata") or {}
    namespace, name = str(meta.get("namespace", "")), str(meta.get("name", ""))

    def emit(event: Event) -> None:
        kopf.event(cast(kopf.Body, body), type=event.type, reason=event.reason, message=event.message)
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


@kopf.on.event(contract.GROUP, contract.VERSION, contract.STORES)
async def notice_store_change(body: kopf.Body, memo: kopf.Memo, event: kopf.RawEvent, **_: Any) -> None:
    """Feeds the work queue: starts a store kopf lists or sees created, wakes a parked one when its
    Store changed (spec, retry request, deletion) and forgets a deleted one. No polling; and the
    queue's list of watched Stores spares the orphan sweep a read per store."""
    runtime: StoreRuntime = memo.store_runtime
    runtime.queue.notice(body, deleted=event.get("type") == "DELETED")


OWNED_BY_A_STORE: Final = {contract.LABEL_STORE: kopf.PRESENT, contract.LABEL_STORE_NAMESPACE: kopf.PRESENT}


@kopf.on.event("v1", "namespaces", labels=OWNED_BY_A_STORE)
@kopf.on.event("apps", "v1", "deployments", labels=OWNED_BY_A_STORE)
@kopf.on.event("apps", "v1", "statefulsets", labels=OWNED_BY_A_STORE)
async def notice_drift(memo: kopf.Memo, event: kopf.RawEvent, **_: Any) -> None:
    """Wakes a resting store when its namespace or a workload changed under it (a hand-run ``kubectl
    scale``, a deleted namespace, a crashing pod): drift is seen at once instead of polled for. No
    finalizer or annotation: kopf keeps only its own record of each object (about 1.1 KB). Its
    label filter is applied on arrival, so every Namespace, Deployment and StatefulSet of the cluster
    is streamed to the operator; on a platform cluster almost all of them are stores'."""
    key = drifted_store(event.get("type"), event.get("object") or {})
    if key is not None:
        runtime: StoreRuntime = memo.store_runtime
        runtime.queue.drifted(key)


@kopf.on.delete(contract.GROUP, contract.VERSION, contract.STORES)
async def delete_store(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    runtime: StoreRuntime = memo.store_runtime
    with _context(body):
        outcome = await runtime.delete(body, _poster(body, memo))
    if not outcome.idle:
        raise kopf.TemporaryError(f"deletion continues: {outcome.message}", delay=outcome.delay or 5.0)
