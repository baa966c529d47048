"""Networking on the real node for real: cluster DNS (CoreDNS), Services through kube-proxy,
NetworkPolicy enforced by the kernel (both the denied and the allowed path), Ingress through Traefik."""

from __future__ import annotations

import urllib.request

import pytest
from tests.realnode import nodekit
from tests.support import wait_for

from storefleet_localcluster.cluster import LocalCluster


@pytest.fixture(scope="module")
def server(realnode_cluster: LocalCluster, realnode_images: dict[str, str]) -> tuple[str, str]:
    """Namespace B with a web Pod (ports 8080 and 8081) behind a ClusterIP Service ``web``."""
    ns = nodekit.namespace(realnode_cluster, "node-b")
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": ns},
               "spec": {"selector": {"app": "web"}, "ports": [
                   {"name": "http", "port": 80, "targetPort": 8080},
                   {"name": "other", "port": 81, "targetPort": 8081}]}}
    nodekit.apply(realnode_cluster, nodekit.web_pod("web", ns, realnode_images["probe"]), service)
    nodekit.wait_ready(realnode_cluster, ns, "web")
    return ns, nodekit.pod_ip(realnode_cluster, ns, "web")


@pytest.fixture(scope="module")
def client_a(realnode_cluster: LocalCluster, realnode_images: dict[str, str]) -> str:
    ns = nodekit.namespace(realnode_cluster, "node-a", {"storefleet-test/role": "client"})
    nodekit.apply(realnode_cluster, nodekit.client_pod("client", ns, realnode_images["probe"]))
    nodekit.wait_ready(realnode_cluster, ns, "client")
    return ns


@pytest.fixture(scope="module")
def client_c(realnode_cluster: LocalCluster, realnode_images: dict[str, str]) -> str:
    ns = nodekit.namespace(realnode_cluster, "node-c")
    nodekit.apply(realnode_cluster, nodekit.client_pod("client", ns, realnode_images["probe"]))
    nodekit.wait_ready(realnode_cluster, ns, "client")
    return ns


def test_cluster_dns_resolves_services_by_name(
    realnode_cluster: LocalCluster, server: tuple[str, str], client_a: str
) -> None:
    ns_b, _ = server
    cluster_ip = realnode_cluster.kubectl("get", "svc", "-n", ns_b, "web", "-o", "jsonpath={.spec.clusterIP}").stdout
    fqdn = nodekit.run_in(realnode_cluster, client_a, "client", "nslookup", f"web.{ns_b}.svc.cluster.local")
    assert fqdn.returncode == 0 and cluster_ip in fqdn.stdout, fqdn.stdout + fqdn.stderr
    # Inside its own namespace the short name works through the search path.
    # (busybox exits 1 when any search-path candidate is NXDOMAIN, so look for the answer itself.)
    short = nodekit.run_in(realnode_cluster, ns_b, "web", "nslookup", "web")
    assert f"web.{ns_b}.svc.cluster.local" in short.stdout and cluster_ip in short.stdout, short.stdout + short.stderr
    # Names outside the cluster are not resolved: nothing is forwarded off the machine.
    outside = nodekit.run_in(realnode_cluster, client_a, "client", "nslookup", "example.org")
    assert outside.returncode != 0


def test_service_cluster_ip_reaches_the_pod_through_kube_proxy(
    realnode_cluster: LocalCluster, server: tuple[str, str], client_c: str
) -> None:
    ns_b, _ = server
    assert nodekit.can_fetch(realnode_cluster, client_c, "client", f"http://web.{ns_b}/index.html")
    cluster_ip = realnode_cluster.kubectl("get", "svc", "-n", ns_b, "web", "-o", "jsonpath={.spec.clusterIP}").stdout
    with urllib.request.urlopen(f"http://{cluster_ip}/index.html", timeout=5) as resp:
        assert resp.read() == b"ok\n"


def test_network_policy_denies_and_allows_for_real(
    realnode_cluster: LocalCluster, server: tuple[str, str], client_a: str, client_c: str
) -> None:
    ns_b, ip = server
    allowed, other = f"http://{ip}:8080/index.html", f"http://{ip}:8081/index.html"
    # Before any policy every path is open, so the failures below are the policy's doing.
    assert nodekit.can_fetch(realnode_cluster, client_a, "client", allowed)
    assert nodekit.can_fetch(realnode_cluster, client_a, "client", other)
    assert nodekit.can_fetch(realnode_cluster, client_c, "client", allowed)
    policy = {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "only-a-on-http", "namespace": ns_b},
        "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"],
                 "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"storefleet-test/role": "client"}}}],
                              "ports": [{"port": "http"}]}]},
    }
    nodekit.apply(realnode_cluster, policy)
    wait_for(lambda: not nodekit.can_fetch(realnode_cluster, client_c, "client", allowed),
             "namespace C cut off from B", timeout=20)
    assert not nodekit.can_fetch(realnode_cluster, client_a, "client", other), "a port the policy does not list"
    assert nodekit.can_fetch(realnode_cluster, client_a, "client", allowed), "the allowed path"
    # Through the Service too (the rules see the translated destination).
    assert nodekit.can_fetch(realnode_cluster, client_a, "client", f"http://web.{ns_b}/index.html")
    assert not nodekit.can_fetch(realnode_cluster, client_c, "client", f"http://web.{ns_b}/index.html")
    # Probes come from the node itself and keep the Pod Ready.
    ready = realnode_cluster.kubectl("get", "pod", "-n", ns_b, "web", "-o",
                                     "jsonpath={.status.conditions[?(@.type=='Ready')].status}").stdout
    assert ready == "True"
    # Removing the policy opens the path again.
    realnode_cluster.kubectl("delete", "networkpolicy", "-n", ns_b, "only-a-on-http")
    wait_for(lambda: nodekit.can_fetch(realnode_cluster, client_c, "client", allowed), "C allowed again", timeout=20)


def test_egress_policy_limits_what_a_pod_may_open(
    realnode_cluster: LocalCluster, server: tuple[str, str], realnode_images: dict[str, str]
) -> None:
    _, ip = server
    ns = nodekit.namespace(realnode_cluster, "node-egress")
    nodekit.apply(realnode_cluster, nodekit.client_pod("client", ns, realnode_images["probe"]), {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "egress-http-only", "namespace": ns},
        "spec": {"podSelector": {}, "policyTypes": ["Egress"],
                 "egress": [{"to": [{"ipBlock": {"cidr": f"{ip}/32"}}], "ports": [{"port": 8080}]}]},
    })
    nodekit.wait_ready(realnode_cluster, ns, "client")
    wait_for(lambda: not nodekit.can_fetch(realnode_cluster, ns, "client", f"http://{ip}:8081/index.html"),
             "egress to 8081 denied", timeout=20)
    assert nodekit.can_fetch(realnode_cluster, ns, "client", f"http://{ip}:8080/index.html")


def test_ingress_serves_a_host_on_loopback_through_traefik(
    realnode_cluster: LocalCluster, server: tuple[str, str]
) -> None:
    ns_b, _ = server
    assert realnode_cluster.real_node is not None
    nodekit.apply(realnode_cluster, {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": ns_b},
        "spec": {"ingressClassName": "traefik", "rules": [{"host": f"{ns_b}.localhost", "http": {"paths": [
            {"path": "/", "pathType": "Prefix",
             "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]},
    })
    url = f"http://127.0.0.1:{realnode_cluster.real_node.ingress_port}/index.html"

    def served() -> bool:
        request = urllib.request.Request(url, headers={"Host": f"{ns_b}.localhost"})
        try:
            with urllib.request.urlopen(request, timeout=3) as resp:  # noqa: S310
                return bool(resp.read() == b"ok\n")
        except OSError:
            return False

    wait_for(served, f"{ns_b}.localhost served by Traefik", timeout=30)
    status = realnode_cluster.kubectl("get", "ingress", "-n", ns_b, "web", "-o",
                                      "jsonpath={.status.loadBalancer.ingress[0].ip}").stdout
    assert status == "127.0.0.1"
