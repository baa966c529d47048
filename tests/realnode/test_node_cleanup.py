"""After a cluster with a real node stops, nothing of it is left on the host: no bridge, veth or
network namespace, no iptables chain or nftables table, no mount, cgroup or process, and the kernel
settings the kubelet changed are back. Runs first in this tier (see conftest): it needs the host
lock for a cluster of its own. A node whose owner was killed is cleaned up by the next start."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from tests.realnode import nodekit
from tests.realnode.conftest import start_real_cluster

from storefleet_localcluster import hostlock, hoststate, leftovers, nodeconfig, realnode

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_stop_leaves_nothing_on_the_host(tmp_path: Path) -> None:
    # A node killed with its owner (say a make dev ended with its session) left kernel settings that
    # the start below restores: the host before it is the host after that cleanup.
    realnode.remove_stale_node()
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



# A cluster with a real node in a child process; it prints its run directory and its node's component
# pids once a pod with a Service runs, then waits to be killed.
KILLED_NODE = """
import json, sys, time
from pathlib import Path
from tests.realnode import nodekit
from tests.realnode.conftest import start_real_cluster
cluster, refs = start_real_cluster(Path(sys.argv[1]))
ns = nodekit.namespace(cluster, "node-killed")
nodekit.apply(cluster, nodekit.web_pod("web", ns, refs["probe"]),
              {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": ns},
               "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}})
nodekit.wait_ready(cluster, ns, "web")
node = cluster.real_node
print(json.dumps({"run_dir": str(cluster.run_dir), "socket": str(node.paths.containerd_socket),
                  "pids": [p.popen.pid for p in node.processes]}), flush=True)
time.sleep(3600)
"""


def test_a_start_after_a_killed_node_removes_its_leftovers(tmp_path: Path) -> None:
    """SIGKILL the owner of a real node and its components (what a killed test run or an OOM kill does;
    the shims and containers live on), then start another: it comes up, and stopping it leaves the
    host as it was before the first, kernel settings included."""
    realnode.remove_stale_node()
    before = hoststate.snapshot()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", KILLED_NODE, str(tmp_path / "first")], stdout=subprocess.PIPE,
                             text=True, cwd=REPO_ROOT, env=env)
    try:
        assert child.stdout is not None
        first = json.loads(child.stdout.readline() or "{}")
    finally:
        child.kill()  # SIGKILL: no teardown runs
        child.wait()
    assert first, "the first cluster did not start (its output is above)"
    for pid in first["pids"]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    # What a killed node leaves, so the checks after the second start can fail.
    killed = hoststate.snapshot()
    assert nodeconfig.BRIDGE in killed.links
    assert any("KUBE-SERVICES" in c for c in killed.chains - before.chains)
    assert dict(killed.sysctls)["kernel.panic"] == "10"
    assert hoststate.processes_naming(first["socket"]), "the containerd shims outlive a killed node"
    assert leftovers.read() is not None

    cluster, refs = start_real_cluster(tmp_path / "second")
    try:
        assert hoststate.processes_naming(first["run_dir"] + "/") == []
        assert not Path(first["socket"]).exists() and hoststate.mounts_under(Path(first["run_dir"])) == []
        # The new node works: its pod gets an address from the same bridge and answers.
        ns = nodekit.namespace(cluster, "node-after-kill")
        nodekit.apply(cluster, nodekit.web_pod("web", ns, refs["probe"]))
        nodekit.wait_ready(cluster, ns, "web")
    finally:
        cluster.stop()
    after = hoststate.snapshot()
    assert after.links - before.links == set()
    assert after.chains - before.chains == set()
    assert after.nft_tables - before.nft_tables == set()
    assert dict(after.sysctls) == dict(before.sysctls)  # the host's values, not the killed kubelet's
    assert hoststate.processes_naming(str(cluster.run_dir)) == []
    assert leftovers.read() is None
    shutil.rmtree(cluster.run_dir, ignore_errors=True)
    shutil.rmtree(first["run_dir"], ignore_errors=True)
