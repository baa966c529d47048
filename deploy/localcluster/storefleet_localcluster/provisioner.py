"""A tiny dynamic provisioner for the real node: a PVC of the ``storefleet-local`` StorageClass gets a
hostPath PersistentVolume in a directory under the node's own directory, pinned to the node.

Why: PostgreSQL/MariaDB need volumes that really hold data on the node their Pod runs on. The class
is ``WaitForFirstConsumer``, so the scheduler first picks the node (the real one; the kwok node is
tainted) and annotates the claim; only then is a volume made there. Released volumes (reclaim
policy Delete) lose their directory and their PV object. One process, polling once a second: the
node runs a handful of claims, and polling survives apiserver restarts without watch bookkeeping.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from .nodeconfig import PROVISIONER, STORAGE_CLASS

SELECTED_NODE = "volume.kubernetes.io/selected-node"


def volume_for(claim: dict[str, Any], node: str, directory: Path) -> dict[str, Any]:
    """The PersistentVolume (as a dict) that satisfies ``claim`` on ``node`` (pure)."""
    meta, spec = claim["metadata"], claim["spec"]
    return {
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": f"pvc-{meta['uid']}", "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER}},
        "spec": {
            "capacity": {"storage": spec["resources"]["requests"]["storage"]},
            "accessModes": spec.get("accessModes") or ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": STORAGE_CLASS,
            "volumeMode": spec.get("volumeMode", "Filesystem"),
            "hostPath": {"path": str(directory), "type": "DirectoryOrCreate"},
            "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": meta["namespace"],
                         "name": meta["name"], "uid": meta["uid"]},
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}},
        },
    }


def sync_once(core: Any, node: str, root: Path) -> None:
    from kubernetes.client.exceptions import ApiException

    for claim in core.list_persistent_volume_claim_for_all_namespaces().to_dict()["items"]:
        meta, spec = claim["metadata"], claim["spec"]
        if (spec.get("storage_class_name") != STORAGE_CLASS or spec.get("volume_name")
                or (meta.get("annotations") or {}).get(SELECTED_NODE) != node or meta.get("deletion_timestamp")):
            continue
        directory = root / f"{meta['namespace']}-{meta['name']}-{meta['uid']}"
        directory.mkdir(parents=True, exist_ok=True)
        directory.chmod(0o777)  # the database images run as their own non-root users
        body = volume_for({"metadata": meta, "spec": {
            "resources": spec["resources"], "accessModes": spec.get("access_modes"),
            "volumeMode": spec.get("volume_mode") or "Filesystem"}}, node, directory)
        try:
            core.create_persistent_volume(body)
            print(f"provisioned {body['metadata']['name']} for {meta['namespace']}/{meta['name']}", flush=True)
        except ApiException as exc:
            if exc.status != 409:
                raise
    for volume in core.list_persistent_volume().to_dict()["items"]:
        meta, spec = volume["metadata"], volume["spec"]
        if (meta.get("annotations") or {}).get("pv.kubernetes.io/provisioned-by") != PROVISIONER:
            continue
        if volume["status"]["phase"] in ("Released", "Failed") and spec["persistent_volume_reclaim_policy"] == "Delete":
            path = Path(spec["host_path"]["path"])
            if path.parent == root:
                shutil.rmtree(path, ignore_errors=True)
            core.delete_persistent_volume(meta["name"])
            print(f"deleted {meta['name']}", flush=True)


def main(argv: list[str] | None = None) -> int:
    from kubernetes import client, config

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--node", required=True)
    parser.add_argument("--root", required=True, type=Path)
    args = parser.parse_args(argv)
    core = client.CoreV1Api(config.new_client_from_config(args.kubeconfig))
    while True:
        try:
            sync_once(core, args.node, args.root)
        except Exception as exc:
            print(f"provisioning pass failed: {exc}", file=sys.stderr, flush=True)
        time.sleep(1.0)


if __name__ == "__main__":
    raise SystemExit(main())
