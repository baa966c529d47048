"""Orphan collection: remove what the operator made for a Store that no longer exists.

The finalizer and the pre-action check (``guard.py``) keep orphans from being made; this is the net
under them, for what older versions, a crash between two API calls, or a hand-removed finalizer left.
Every store namespace carries labels naming its Store (tenant namespace, name, uid). A namespace is an
orphan when no Store of that namespace and name exists, or the one that exists has another uid (it was
deleted and created again; only one Store of a name exists at a time). An orphan's Helm release is
uninstalled, then its namespace deleted (with everything in it), and each removal is counted in
``storefleet_orphans_collected_total{kind}``, logged, and posted as an Event in the tenant namespace.

Only namespaces with our store labels are ever looked at, and the Store is read fresh *after* the
namespace list: a namespace is only made for a Store that already exists, so a Store missing after its
namespace was listed is gone for good, never "not created yet". A namespace whose Store the operator's
own watch shows, with the same uid, is skipped without that read (``owner_known``): a fleet of a
thousand stores would otherwise cost a thousand reads a sweep. Every ``FULL_SWEEP_EVERY``-th sweep,
the first included, reads every owner anyway, so a deletion the watch missed is still noticed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from storefleet_operator import contract
from storefleet_operator.adapters.helm import HelmFailed, StoreHelm
from storefleet_operator.adapters.kube import KubeError, StoreKube
from storefleet_operator.models import Reason
from storefleet_operator.observability import Metrics

log = logging.getLogger(__name__)
REPORTER: Final = "storefleet-operator"
UNINSTALL_TIMEOUT_SECONDS: Final = 60
FULL_SWEEP_EVERY: Final = 10
"""One sweep in this many reads every owner from the API even when the watch shows it: kopf re-lists
after a dropped watch without replaying the deletions it missed."""

OwnerKnown = Callable[[str, str, str], bool]
"""(store namespace, store name, uid) → does the operator's watch show that very Store now?"""


def _never_known(_namespace: str, _name: str, _uid: str) -> bool:
    return False


@dataclass(frozen=True)
class Orphan:
    namespace: str
    """The store namespace left behind."""
    store_namespace: str
    store: str
    uid: str | None
    why: str

    @property
    def key(self) -> str:
        return f"{self.store_namespace}/{self.store}"


def orphan_of(namespace: Mapping[str, Any], store: Mapping[str, Any] | None) -> Orphan | None:
    """The orphan this labelled namespace is, given its Store read fresh (None when absent); None when it
    still belongs to a Store, is already being deleted, or does not carry our store labels. Pure."""
    meta = namespace.get("metadata") or {}
    labels = meta.get("labels") or {}
    name, owner_ns = labels.get(contract.LABEL_STORE), labels.get(contract.LABEL_STORE_NAMESPACE)
    if labels.get(contract.LABEL_MANAGED_BY) != contract.MANAGED_BY or not name or not owner_ns:
        return None
    if meta.get("deletionTimestamp") or (namespace.get("status") or {}).get("phase") == "Terminating":
        return None
    uid = labels.get(contract.LABEL_STORE_UID)
    if store is None:
        why = f"Store {owner_ns}/{name} no longer exists"
    elif uid and (store.get("metadata") or {}).get("uid") != uid:
        why = f"Store {owner_ns}/{name} was deleted and created again (the namespace belongs to uid {uid})"
    else:
        return None
    return Orphan(str(meta.get("name")), owner_ns, name, uid, why)


class OrphanCollector:
    """Finds and removes orphans; one sweep at a time."""

    def __init__(
        self, kube: StoreKube, helm: StoreHelm, metrics: Metrics, owner_known: OwnerKnown = _never_known
    ) -> None:
        self.kube, self.helm, self.metrics = kube, helm, metrics
        self.owner_known = owner_known
        self._lock = asyncio.Lock()
        self._sweeps = 0

    async def sweep(self) -> list[Orphan]:
        """One sweep over every labelled store namespace; returns the orphans it removed."""
        async with self._lock:
            full = self._sweeps % FULL_SWEEP_EVERY == 0
            self._sweeps += 1
            removed = []
            for namespace in await self.kube.list_store_namespaces():
                labels = (namespace.get("metadata") or {}).get("labels") or {}
                owner_ns, name = labels.get(contract.LABEL_STORE_NAMESPACE), labels.get(contract.LABEL_STORE)
                if not owner_ns or not name:
                    continue
                uid = labels.get(contract.LABEL_STORE_UID)
                if not full and uid and self.owner_known(owner_ns, name, uid):
                    continue  # the watch shows its very Store: not an orphan
                orphan = orphan_of(namespace, await self.kube.read_store(owner_ns, name))
                if orphan is None:
                    continue
                try:
                    await self.collect(orphan)
                except (KubeError, HelmFailed) as exc:
                    log.warning("cannot remove orphan namespace %s (%s): %s", orphan.namespace, orphan.why, exc)
                    continue
                removed.append(orphan)
            return removed

    async def collect(self, orphan: Orphan) -> None:
        """Uninstall the orphan's release (if any), delete its namespace, and say so."""
        released = bool(await self.kube.release_history(orphan.namespace, orphan.store))
        if released:
            await self.helm.uninstall(
                orphan.namespace, orphan.store, timeout_seconds=UNINSTALL_TIMEOUT_SECONDS, wait=False
            )
            self.metrics.orphans_collected_total.labels(kind="release").inc()
        await self.kube.delete_namespace(orphan.namespace)
        self.metrics.orphans_collected_total.labels(kind="namespace").inc()
        what = f"namespace {orphan.namespace}" + (f" and Helm release {orphan.store}" if released else "")
        message = f"Removed orphaned {what}: {orphan.why}"
        log.warning(message, extra={"store": orphan.key})
        regarding = {
            "apiVersion": contract.API_VERSION,
            "kind": "Store",
            "namespace": orphan.store_namespace,
            "name": orphan.store,
            "uid": orphan.uid or "",
        }
        try:
            await self.kube.post_event(
                regarding, type_="Warning", reason=Reason.ORPHAN_COLLECTED, message=message, reporter=REPORTER
            )
        except KubeError as exc:  # the removal happened; the metric and the log line say so
            log.warning("cannot post the OrphanCollected event for %s: %s", orphan.key, exc)

    async def run_forever(self, interval_seconds: float) -> None:
        """Sweep at once (start-up), then every ``interval_seconds``; errors are logged, never fatal."""
        while True:
            try:
                removed = await self.sweep()
            except (KubeError, HelmFailed) as exc:
                log.warning("orphan sweep failed, trying again in %.0f s: %s", interval_seconds, exc)
            else:
                if removed:
                    log.info("orphan sweep removed %d store namespace(s)", len(removed))
            await asyncio.sleep(interval_seconds)
