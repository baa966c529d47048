"""The kwok configuration and the cluster objects that make fake nodes useful.

kwok's standalone controller needs its Stages passed in (only kwokctl injects defaults). We use the
"fast" stages shipped in the kwok module: nodes become Ready, Pods become Running/Ready (unless a
test asks a Pod to stay unready), Job pods complete, PVCs get a bound PersistentVolume.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from . import nodekinds

NEVER_READY_ANNOTATION = "kwok.storefleet.io/never-ready"
"""A Pod carrying this annotation stays Pending, so tests can simulate a rollout that never finishes."""

NODE_NAME = "kwok-node-0"

_STAGE_FILES = (
    "node/fast/node-initialize.yaml",
    "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
    "pod/fast/pod-ready.yaml",
    "pod/fast/pod-complete.yaml",
    "pod/fast/pod-delete.yaml",
    "volume/fast/pvc-provision.yaml",
    "volume/fast/pv-bind.yaml",
    "volume/fast/pv-delete.yaml",
    "volume/fast/pvc-delete.yaml",
)


def load_stages(stage_dir: Path) -> list[dict[str, Any]]:
    stages = []
    for relative in _STAGE_FILES:
        stage = yaml.safe_load((stage_dir / relative).read_text())
        if stage["metadata"]["name"] == "pod-ready":
            # Let tests keep chosen Pods unready (a rollout that never becomes ready).
            stage["spec"]["selector"]["matchExpressions"].append(
                {"key": f'.metadata.annotations["{NEVER_READY_ANNOTATION}"]', "operator": "DoesNotExist"}
            )
        stages.append(stage)
    return stages


def write_kwok_config(path: Path, stage_dir: Path) -> Path:
    # Stages only: a KwokConfiguration document here would replace kwok's defaulted options with zero
    # values (kwok v0.8.0 then refuses to start: "playStageParallelism must be greater than 0").
    path.write_text(yaml.safe_dump_all(load_stages(stage_dir), sort_keys=False))
    return path


def cluster_objects(*, tainted: bool = False) -> list[dict[str, Any]]:
    """The fake node and the default StorageClass served by kwok's volume stages. ``tainted`` (a real
    node is present) keeps Pods off the fake node unless they tolerate ``storefleet.io/simulated``."""
    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": NODE_NAME,
            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
            "labels": {
                "type": "kwok",
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": NODE_NAME,
                nodekinds.NODE_KIND_LABEL: nodekinds.SIMULATED,
            },
        },
        "spec": {"taints": [nodekinds.simulated_taint()] if tainted else []},
    }
    storage_class = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "name": "kwok-volume",
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        },
        "provisioner": "kwok.x-k8s.io/volume",
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate",
    }
    return [node, storage_class]
