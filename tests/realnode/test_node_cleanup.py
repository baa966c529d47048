"""After a cluster with a real node stops, nothing of it is left on the host: no bridge, veth or
network namespace, no iptables chain or nftables table, no mount, cgroup or process, and the kernel
settings the kubelet changed are back. Runs first in this tier (see conftest): it needs the host
lock for a cluster of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.realnode import nodekit
from tests.realnode.conftest import start_real_cluster

from storefleet_localcluster import hostlock, hoststate, nodeconfig


def test_stop_leaves_nothing_on_the_host(tmp_path: Path) -> None:
    before = hoststate.snapshot()
    cluster, refs = start_real_cluster(tmp_path)
    run_dir, node = cluster.run_dir, cluster.real_node
    assert node is not None
    paths, cgroup = node.paths, node.paths.cgroup_root
    try:
        ns = nodekit.namespace(cluster, "node-cleanup")
        nodekit.apply(cluster, nodekit.web_pod("web", ns, refs["probe"]),
                      {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": ns},
                       "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}})
        nodekit.wait_ready(cluster, ns, "web")
        during = hoststate.snapshot()
        # The run really changed the host, so the checks below can fail.
        assert nodeconfig.BRIDGE in during.links
        assert any(link.startswith("veth") for link in during.links - before.links)
        assert any("KUBE-SERVICES" in c for c in during.chains)
        assert f"inet {nodeconfig.NETPOL_TABLE}" in during.nft_tables
        assert dict(during.sysctls)["kernel.panic"] == "10"
        assert hoststate.mounts_under(paths.root)
        assert hoststate.cgroup_dirs(cgroup)
        assert hoststate.processes_naming(str(paths.containerd_socket))
        assert hostlock.holder()
    finally:
        cluster.stop()
    after = hoststate.snapshot()
    assert after.links - before.links == set()
    assert after.netns - before.netns == set()
    assert {c for c in after.chains - before.chains} == set()
    assert after.nft_tables - before.nft_tables == set()
    assert dict(after.sysctls) == dict(before.sysctls)
    assert hoststate.mounts_under(run_dir) == []
    assert hoststate.cgroup_dirs(cgroup) == []
    assert hoststate.processes_naming(str(run_dir)) == []
    # The lock is free again: a second cluster would not wait.
    lock = hostlock.acquire(timeout=1)
    lock.release()
    shutil.rmtree(run_dir, ignore_errors=True)

