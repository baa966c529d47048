"""Node kinds of the local cluster, in one place: the labels and taint that keep real workloads off
the simulated node and tell tests (and charts) which node is which.

- The **real node** (kubelet + containerd) carries ``storefleet.io/node-kind=real`` and no taint.
- The **kwok node** carries ``storefleet.io/node-kind=simulated``; when a real node is in the cluster it
  also gets the taint ``storefleet.io/simulated=true:NoSchedule``, so a Pod only lands there when it
  tolerates that taint on purpose (kwok-only clusters keep it untainted, as before).
"""

from __future__ import annotations

from typing import Any

NODE_KIND_LABEL = "storefleet.io/node-kind"
REAL = "real"
SIMULATED = "simulated"

SIMULATED_TAINT_KEY = "storefleet.io/simulated"
SIMULATED_TAINT_VALUE = "true"
SIMULATED_TAINT_EFFECT = "NoSchedule"

REAL_NODE_NAME = "storefleet-real-0"


def simulated_taint() -> dict[str, str]:
    return {"key": SIMULATED_TAINT_KEY, "value": SIMULATED_TAINT_VALUE, "effect": SIMULATED_TAINT_EFFECT}


def simulated_toleration() -> dict[str, Any]:
    """The toleration a Pod needs to run on the kwok node while a real node is present."""
    return {"key": SIMULATED_TAINT_KEY, "operator": "Equal", "value": SIMULATED_TAINT_VALUE,
            "effect": SIMULATED_TAINT_EFFECT}


def real_node_selector() -> dict[str, str]:
    return {NODE_KIND_LABEL: REAL}


def simulated_node_selector() -> dict[str, str]:
    return {NODE_KIND_LABEL: SIMULATED}
