"""The real-node tier (marker ``realnode``): a local control plane with a **real node** beside the
kwok node — kubelet + containerd/runc, CNI bridge, kube-proxy, CoreDNS, Traefik, the NetworkPolicy
engine and the local-path provisioner (deploy/localcluster/storefleet_localcluster/realnode.py).

Fixture contract (stable; other test modules in this directory build on it):

- ``realnode_cluster`` (session): a running ``LocalCluster`` whose ``real_node`` is a ``RealNode``:
  ``real_node.name`` (node name, ``nodekinds.REAL_NODE_NAME``), ``real_node.ingress_port`` (Traefik on
  127.0.0.1; stores answer at ``http://<store-host>.localhost:<port>``, Host header routing),
  ``real_node.import_images(archives)`` and ``real_node.ctr(...)`` (its containerd, namespace k8s.io).
  Node placement: the real node has label ``storefleet.io/node-kind=real``; the kwok node has
  ``storefleet.io/node-kind=simulated`` and taint ``storefleet.io/simulated=true:NoSchedule``
  (constants and helpers in ``storefleet_localcluster.nodekinds``). The default StorageClass is
  ``storefleet-local`` (WaitForFirstConsumer, hostPath volumes on the real node); the IngressClass is
  ``traefik``; cluster DNS is 10.96.0.10 (CoreDNS, domain cluster.local).
- ``realnode_images`` (session): ``{logical name: image ref}`` of the images imported into the node
  at start: ``pause`` (the images module's pause image, containerd's sandbox_image) and ``probe``
  (busybox with httpd/nc/wget/nslookup). Use ``imagePullPolicy: Never``: there is no registry.
- ``realnode_store_images`` (session): ``storefleet_localcluster.images.LocalImages`` for a Medusa store
  (``MEDUSA_STORE_ROLES``), built or reused by content hash and imported into the node's containerd;
  ``.values_file`` is the generated chart values file to layer after values-local.yaml
  (``OperatorProcess(..., extra_values_files=[...])``), ``.ref(role)`` an image ref.

The tier is never skipped on a root Linux host; elsewhere every test is skipped with the reason.
Only one real node runs per host (a host-wide flock); ``test_node_cleanup`` starts and stops a
cluster of its own, so it runs first, before the session cluster takes the lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storefleet_localcluster import images, realnode, standin_images
from storefleet_localcluster.cluster import LocalCluster

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = realnode.unavailable_reason()
    mine = [i for i in items if HERE in Path(str(i.path)).parents]
    for item in mine:
        item.add_marker(pytest.mark.realnode)
        if reason:
            item.add_marker(pytest.mark.skip(reason=f"real node tier: {reason}"))
    # The cleanup test needs the host lock for a cluster of its own: run it before any other user.
    first = [i for i in mine if Path(str(i.path)).name == "test_node_cleanup.py"]
    if first:
        rest = [i for i in items if i not in first]
        index = rest.index(next(i for i in rest if i in mine)) if any(i in mine for i in rest) else len(rest)
        items[:] = rest[:index] + first + rest[index:]


def start_real_cluster(tmp_root: Path) -> tuple[LocalCluster, dict[str, str]]:
    """Start a cluster with a real node, the images module's pause image and the busybox probe image
    (used by the session fixture and by the cleanup test)."""
    archive = tmp_root / "standin-images.tar"
    probe = standin_images.write_archive(archive)["probe"]
    pause = images.build_local_images(roles=("pause",))
    cluster = LocalCluster.start(real_node=True, images=(archive, *pause.archives), sandbox_image=pause.ref("pause"))
    return cluster, {"pause": pause.ref("pause"), "probe": probe}


@pytest.fixture(scope="session")
def realnode_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalCluster, dict[str, str]]]:
    cluster, refs = start_real_cluster(tmp_path_factory.mktemp("realnode"))
    try:
        yield cluster, refs
    finally:
        cluster.discard()


@pytest.fixture(scope="session")
def realnode_cluster(realnode_session: tuple[LocalCluster, dict[str, str]]) -> LocalCluster:
    return realnode_session[0]


@pytest.fixture(scope="session")
def realnode_images(realnode_session: tuple[LocalCluster, dict[str, str]]) -> dict[str, str]:
    return dict(realnode_session[1])


@pytest.fixture(scope="session")
def realnode_store_images(realnode_cluster: LocalCluster) -> images.LocalImages:
    """The Medusa store's images, built (or reused) and imported into the real node's containerd."""
    node = realnode_cluster.real_node
    assert node is not None
    built = images.build_local_images(roles=images.MEDUSA_STORE_ROLES)
    images.import_images(built, node.paths.containerd_socket)
    return built
