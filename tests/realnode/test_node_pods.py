"""Pods really run on the real node: probes pass, exec and logs go through the kubelet's
authenticated API, and volumes of the default StorageClass hold data on the node."""

from __future__ import annotations

import json
from pathlib import Path

from tests.realnode import nodekit
from tests.support import wait_for

from storefleet_localcluster import nodekinds
from storefleet_localcluster.cluster import LocalCluster


def test_pod_runs_on_the_real_node_and_passes_its_probes(
    realnode_cluster: LocalCluster, realnode_images: dict[str, str]
) -> None:
    ns = nodekit.namespace(realnode_cluster, "node-pods")
    nodekit.apply(realnode_cluster, nodekit.web_pod("web", ns, realnode_images["probe"]))
    nodekit.wait_ready(realnode_cluster, ns, "web")
    pod = nodekit.pod(realnode_cluster, ns, "web")
    assert pod["spec"]["nodeName"] == nodekinds.REAL_NODE_NAME
    assert pod["status"]["podIP"].startswith("10.244.128.")
    assert pod["status"]["containerStatuses"][0]["restartCount"] == 0
    exec_ = nodekit.run_in(realnode_cluster, ns, "web", "wget", "-q", "-O", "-", "http://127.0.0.1:8080/index.html")
    assert exec_.stdout == "ok\n", exec_.stderr
    logs = realnode_cluster.kubectl("logs", "-n", ns, "web", check=False)
    assert logs.returncode == 0, logs.stderr


def test_kubelet_refuses_anonymous_requests(realnode_cluster: LocalCluster) -> None:
    """Webhook authn/authz: only the apiserver's kubelet client certificate gets in."""
    import ssl
    import urllib.error
    import urllib.request

    node = json.loads(realnode_cluster.kubectl("get", "node", nodekinds.REAL_NODE_NAME, "-o", "json").stdout)
    port = node["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"]
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    try:
        urllib.request.urlopen(f"https://10.244.128.1:{port}/pods", context=ctx, timeout=5)
        status = 200
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status == 401


def test_simulated_node_is_tainted_and_real_workloads_avoid_it(realnode_cluster: LocalCluster) -> None:
    nodes = json.loads(realnode_cluster.kubectl("get", "nodes", "-o", "json").stdout)["items"]
    kinds = {n["metadata"]["name"]: n["metadata"]["labels"].get(nodekinds.NODE_KIND_LABEL) for n in nodes}
    assert kinds == {"kwok-node-0": nodekinds.SIMULATED, nodekinds.REAL_NODE_NAME: nodekinds.REAL}
    kwok = next(n for n in nodes if n["metadata"]["name"] == "kwok-node-0")
    assert kwok["spec"]["taints"] == [nodekinds.simulated_taint()]


def test_default_storage_class_binds_a_volume_on_the_real_node(
    realnode_cluster: LocalCluster, realnode_images: dict[str, str]
) -> None:
    ns = nodekit.namespace(realnode_cluster, "node-pvc")
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": ns},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "16Mi"}}}}
    writer = nodekit.client_pod("writer", ns, realnode_images["probe"])
    writer["spec"]["containers"][0]["command"] = [
        "sh", "-c", "echo stored > /data/proof; trap 'exit 0' TERM; while true; do sleep 1; done"]
    writer["spec"]["containers"][0]["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
    writer["spec"]["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
    nodekit.apply(realnode_cluster, claim, writer)
    nodekit.wait_ready(realnode_cluster, ns, "writer")
    pvc = json.loads(realnode_cluster.kubectl("get", "pvc", "-n", ns, "data", "-o", "json").stdout)
    assert pvc["spec"]["storageClassName"] == "storefleet-local"
    pv = json.loads(realnode_cluster.kubectl("get", "pv", pvc["spec"]["volumeName"], "-o", "json").stdout)
    proof = Path(pv["spec"]["hostPath"]["path"]) / "proof"
    wait_for(proof.exists, f"{proof} written by the Pod", timeout=20)
    assert proof.read_text() == "stored\n"
    realnode_cluster.kubectl("delete", "namespace", ns, "--wait=true", "--timeout=90s")
    wait_for(lambda: not proof.parent.exists(), "the released volume's directory removed", timeout=60)
