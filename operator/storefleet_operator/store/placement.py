"""Where a store's pods run, and whether that makes the store simulated. Pure.

A pod scheduled on a simulated node (kwok) never runs: kwok only reports it Running and Ready. The local
control plane uses such a node for WooCommerce, whose images cannot be built on a machine without
WordPress 6.7/WP-CLI/WooCommerce, and for every store when no real node is attached. The store is
then marked simulated from that fact — the node its pods landed on — never from its engine, so a
WooCommerce store on a real cluster is real and a Medusa store on kwok is simulated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from storefleet_operator.models import SIMULATED, Reason, StoreStatus, get_condition, set_condition

NODE_KIND_LABEL: Final = "storefleet.io/node-kind"
"""Label the local cluster puts on its nodes: "simulated" on the kwok node, "real" on the real node
(storefleet_localcluster.nodekinds; the operator never imports the local cluster, a test keeps the two
equal)."""
SIMULATED_KIND: Final = "simulated"
KWOK_NODE_ANNOTATION: Final = "kwok.x-k8s.io/node"
"""kwok's own marker of the nodes it fakes (value "fake"); counts even where nobody added our label."""
SIMULATED_MESSAGE: Final = "pods run on a simulated node; nothing is served"


def is_simulated_node(node: Mapping[str, Any]) -> bool:
    meta = node.get("metadata") or {}
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    return labels.get(NODE_KIND_LABEL) == SIMULATED_KIND or annotations.get(KWOK_NODE_ANNOTATION) == "fake"


def node_names(pods: Sequence[Mapping[str, Any]]) -> list[str]:
    """The nodes the pods were scheduled to (unscheduled pods have none), sorted, once each."""
    return sorted({str(name) for p in pods if (name := (p.get("spec") or {}).get("nodeName"))})


@dataclass(frozen=True)
class Placement:
    simulated_nodes: tuple[str, ...]
    real_nodes: tuple[str, ...]

    @property
    def simulated(self) -> bool:
        return bool(self.simulated_nodes)

    def message(self) -> str:
        if self.simulated:
            return f"{SIMULATED_MESSAGE} ({', '.join(self.simulated_nodes)})"
        return f"pods run on real nodes ({', '.join(self.real_nodes)})"


def placement(nodes: Mapping[str, Mapping[str, Any] | None]) -> Placement | None:
    """Classify the store's nodes (name → Node object, None if it could not be read); None when no pod is
    scheduled yet, so nothing is claimed before there is a fact. An unreadable node counts as real: the
    flag warns about stores that serve nothing, so it is only set on evidence."""
    if not nodes:
        return None
    simulated = tuple(n for n, obj in sorted(nodes.items()) if obj is not None and is_simulated_node(obj))
    real = tuple(n for n in sorted(nodes) if n not in simulated)
    return Placement(simulated, real)


def with_placement(
    status: StoreStatus, found: Placement, *, generation: int | None, now: datetime
) -> tuple[StoreStatus, bool]:
    """``status`` with ``simulated`` and the Simulated condition set; True when the store just became
    simulated (the caller says so once, in an Event)."""
    before = get_condition(status.conditions, SIMULATED)
    became = found.simulated and (before is None or before.status != "True")
    reason = Reason.SIMULATED_NODE if found.simulated else Reason.REAL_NODES
    conditions = set_condition(
        status.conditions,
        SIMULATED,
        "True" if found.simulated else "False",
        reason,
        found.message(),
        observed_generation=generation,
        now=now,
    )
    return status.model_copy(update={"simulated": found.simulated, "conditions": conditions}), became
