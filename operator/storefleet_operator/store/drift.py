"""Which Store a watch event of its namespace or one of its workloads concerns, if it can matter. Pure.

A converged store is not polled for drift: the operator watches the objects whose change a store's
owner would notice (its namespace, its Deployments and StatefulSets) and looks at the store again
when one of them changes (``StoreQueue.drifted``). What those watches cannot see (a release Secret
changed by hand, a deleted Ingress) waits for the idle re-look (``idle_resync_seconds``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storefleet_operator import contract
from storefleet_operator.store.observe import workload_progress

WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet"})


def drifted_store(event_type: str | None, obj: Mapping[str, Any]) -> str | None:
    """The ``namespace/name`` key of the Store a changed or deleted object belongs to, or None.

    None for the initial listing (type None) and for additions: a store's own install makes those
    while it is busy anyway. None for a workload that is modified but fully rolled out and
    ready: the controller's routine status updates cannot change a converged store's state, and
    would otherwise cost it a pass each. Ownership comes from the labels the chart and the namespace
    carry (``contract.LABEL_STORE`` and ``LABEL_STORE_NAMESPACE``).
    """
    if event_type not in ("MODIFIED", "DELETED"):
        return None
    labels = (obj.get("metadata") or {}).get("labels") or {}
    store, namespace = labels.get(contract.LABEL_STORE), labels.get(contract.LABEL_STORE_NAMESPACE)
    if not store or not namespace:
        return None
    if event_type == "MODIFIED" and obj.get("kind") in WORKLOAD_KINDS and workload_progress(obj).done:
        return None
    return f"{namespace}/{store}"
