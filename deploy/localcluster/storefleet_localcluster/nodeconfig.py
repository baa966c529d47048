"""Pure builders for the real node's configuration files and cluster objects (no I/O here).

Every path handed out points under the node's own directory (``NodePaths``), so a cluster never reads
or writes the host's /etc/cni, /var/lib/kubelet, /var/lib/containerd or /run/containerd state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import nodekinds

BRIDGE = "storefleet0"
NODE_POD_CIDR = "10.244.128.0/24"
"""Inside the cluster's private pod range (10.244.0.0/16); kwok hands out addresses from its bottom."""
GATEWAY_IP = "10.244.128.1"
"""The bridge's address: the node IP (kubelet API), CoreDNS's listen address and the pods' gateway."""
CLUSTER_DNS_IP = "10.96.0.10"
CLUSTER_DOMAIN = "cluster.local"
INGRESS_CLASS = "traefik"
INGRESS_NAMESPACE = "kube-system"
"""Where the ingress controller counts as running (like k3s' Traefik) for store NetworkPolicies."""
STORAGE_CLASS = "storefleet-local"
PROVISIONER = "storefleet.io/local-path"
CNI_BIN_DIR = Path("/usr/lib/cni")
NETPOL_TABLE = "storefleet_netpol"
"""The nftables table (family inet) of our NetworkPolicy engine; host-global, hence the host lock."""


@dataclass(frozen=True)
class NodePaths:
    root: Path

    @property
    def containerd_root(self) -> Path:
        return self.root / "containerd" / "root"

    @property
    def containerd_state(self) -> Path:
        return self.root / "containerd" / "state"

    @property
    def containerd_socket(self) -> Path:
        return self.root / "containerd" / "containerd.sock"

    @property
    def runc_root(self) -> Path:
        return self.root / "runc"

    @property
    def cni_conf_dir(self) -> Path:
        return self.root / "cni" / "net.d"

    @property
    def cni_ipam_dir(self) -> Path:
        return self.root / "cni" / "ipam"

    @property
    def kubelet_root(self) -> Path:
        return self.root / "kubelet"

    @property
    def pod_logs(self) -> Path:
        return self.root / "pod-logs"

    @property
    def volumes(self) -> Path:
        return self.root / "volumes"

    @property
    def cgroup_root(self) -> str:
        """The cgroup (in every v1 hierarchy) holding all pods, named after the run so stop removes it."""
        return "/" + self.root.parent.name  # the run dir's name: storefleet-XXXXXXXX


def containerd_config(paths: NodePaths, sandbox_image: str) -> str:
    """containerd 1.6 (config version 2)."""
    cri = 'plugins."io.containerd.grpc.v1.cri"'
    lines = [
        "version = 2",
        f"root = {json.dumps(str(paths.containerd_root))}",
        f"state = {json.dumps(str(paths.containerd_state))}",
        # /opt/containerd and snapshotters that need host setup are not ours to touch.
        'disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs",'
        ' "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]',
        "[grpc]",
        f"  address = {json.dumps(str(paths.containerd_socket))}",
        "[ttrpc]",
        f"  address = {json.dumps(str(paths.containerd_socket) + '.ttrpc')}",
        f"[{cri}]",
        f"  sandbox_image = {json.dumps(sandbox_image)}",
        # This VM lacks CAP_SYS_RESOURCE: without it runc fails every sandbox writing oom_score_adj.
        "  restrict_oom_score_adj = true",
        # Network namespaces as bind mounts under our state dir, not /var/run/netns.
        "  netns_mounts_under_state_dir = true",
        "  enable_selinux = false",
        "  tolerate_missing_hugetlb_controller = true",
        '  stream_server_address = "127.0.0.1"',
        f"[{cri}.cni]",
        f"  bin_dir = {json.dumps(str(CNI_BIN_DIR))}",
        f"  conf_dir = {json.dumps(str(paths.cni_conf_dir))}",
        "  max_conf_num = 1",
        f"[{cri}.containerd]",
        '  snapshotter = "overlayfs"',
        '  default_runtime_name = "runc"',
        f"[{cri}.containerd.runtimes.runc]",
        '  runtime_type = "io.containerd.runc.v2"',
        f"[{cri}.containerd.runtimes.runc.options]",
        "  SystemdCgroup = false",
        '  BinaryName = "/usr/bin/runc"',
        f"  Root = {json.dumps(str(paths.runc_root))}",
    ]
    return "\n".join(lines) + "\n"


def cni_conflist(paths: NodePaths) -> dict[str, Any]:
    """A bridge with host-local IPAM. No ipMasq: pod traffic is never NATed off the machine, and no
    portmap (hostPort chains would be more host state to clean)."""
    return {
        "cniVersion": "1.0.0",
        "name": "storefleet",
        "plugins": [{
            "type": "bridge", "bridge": BRIDGE, "isGateway": True, "ipMasq": False, "hairpinMode": True,
            "ipam": {
                "type": "host-local",
                "ranges": [[{"subnet": NODE_POD_CIDR, "gateway": GATEWAY_IP}]],
                "routes": [{"dst": "0.0.0.0/0"}],
                "dataDir": str(paths.cni_ipam_dir),
            },
        }],
    }


def kubelet_config(paths: NodePaths, ca_file: Path, cert: Path, key: Path, port: int, resolv: Path) -> dict[str, Any]:
    return {
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        "address": GATEWAY_IP,
        "port": port,
        "readOnlyPort": 0,
        "healthzPort": 0,  # the default 10248 is host-global; nothing here needs it
        "tlsCertFile": str(cert), "tlsPrivateKeyFile": str(key),
        # The apiserver calls the kubelet with its kubelet client certificate; nobody else gets in.
        "authentication": {"anonymous": {"enabled": False}, "webhook": {"enabled": True},
                           "x509": {"clientCAFile": str(ca_file)}},
        "authorization": {"mode": "Webhook"},
        "containerRuntimeEndpoint": f"unix://{paths.containerd_socket}",
        "cgroupDriver": "cgroupfs",
        "cgroupRoot": paths.cgroup_root,
        "cgroupsPerQOS": True,
        "failCgroupV1": False,  # 1.35+ refuses cgroup v1 by default; this host is a v1/v2 hybrid
        "failSwapOn": False,
        "clusterDNS": [CLUSTER_DNS_IP],
        "clusterDomain": CLUSTER_DOMAIN,
        "resolvConf": str(resolv),
        "podLogsDir": str(paths.pod_logs),
        "evictionHard": {"memory.available": "100Mi", "nodefs.available": "1%", "imagefs.available": "1%",
                         "nodefs.inodesFree": "1%"},
        # Images cannot be pulled again here (no registry): never collect them.
        "imageGCHighThresholdPercent": 100, "imageGCLowThresholdPercent": 99,
        "serializeImagePulls": False,
        "shutdownGracePeriod": "0s",
        "rotateCertificates": False,
        "registerNode": True,
        "maxPods": 110,
    }


def kube_proxy_config(kubeconfig: Path, healthz_port: int, metrics_port: int) -> dict[str, Any]:
    return {
        "apiVersion": "kubeproxy.config.k8s.io/v1alpha1",
        "kind": "KubeProxyConfiguration",
        "mode": "iptables",
        "clientConnection": {"kubeconfig": str(kubeconfig)},
        "hostnameOverride": nodekinds.REAL_NODE_NAME,
        "clusterCIDR": NODE_POD_CIDR,
        "healthzBindAddress": f"127.0.0.1:{healthz_port}",
        "metricsBindAddress": f"127.0.0.1:{metrics_port}",
        # Zero = leave the host's conntrack sysctls alone.
        "conntrack": {"maxPerCore": 0, "min": 0, "tcpEstablishedTimeout": "0s", "tcpCloseWaitTimeout": "0s"},
        # localhost NodePorts would set net.ipv4.conf.all.route_localnet=1 host-wide.
        "iptables": {"localhostNodePorts": False},
        "nodePortAddresses": [f"{GATEWAY_IP}/32"],
    }


def corefile(kubeconfig: Path) -> str:
    # No `forward`: names outside the cluster are not answered, so nothing leaves the machine.
    return (
        ".:53 {\n"
        f"    bind {GATEWAY_IP}\n"
        "    errors\n"
        f"    kubernetes {CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {{\n"
        f"        kubeconfig {kubeconfig}\n"
        "        pods insecure\n"
        "        fallthrough in-addr.arpa ip6.arpa\n"
        "    }\n"
        "    cache 5\n"
        "}\n"
    )


def traefik_config(port: int) -> dict[str, Any]:
    """Static configuration; the API client comes from KUBECONFIG (a client certificate, nothing in argv)."""
    return {
        "entryPoints": {"web": {"address": f"127.0.0.1:{port}"}},
        "providers": {"kubernetesIngress": {
            "ingressClass": INGRESS_CLASS,
            "ingressEndpoint": {"ip": "127.0.0.1"},
            "allowEmptyServices": True,
            "throttleDuration": "1s",
        }},
        "log": {"level": "INFO"},
        "global": {"checkNewVersion": False, "sendAnonymousUsage": False},
    }


def _role(name: str, rules: list[dict[str, Any]], user: str) -> list[dict[str, Any]]:
    return [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": name},
         "rules": rules},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": name},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
         "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}]},
    ]


READ = ["get", "list", "watch"]
USERS = {
    "coredns": "system:storefleet:coredns",
    "traefik": "system:storefleet:traefik",
    "netpolicy": "system:storefleet:netpolicy",
    "provisioner": "system:storefleet:provisioner",
    "kube-proxy": "system:kube-proxy",  # bound to system:node-proxier by the bootstrap policy
    "apiserver-kubelet-client": "kube-apiserver-kubelet-client",
}


def cluster_objects() -> list[dict[str, Any]]:
    """RBAC for the node's components, the DNS Service (endpoints: CoreDNS on the bridge address),
    the IngressClass Traefik serves and the default StorageClass our provisioner serves."""
    objs: list[dict[str, Any]] = []
    objs += _role("storefleet:coredns", [
        {"apiGroups": [""], "resources": ["services", "endpoints", "namespaces", "pods"], "verbs": READ},
        {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": READ},
    ], USERS["coredns"])
    objs += _role("storefleet:traefik", [
        {"apiGroups": [""], "resources": ["services", "endpoints", "secrets", "nodes"], "verbs": READ},
        {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": READ},
        {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "ingressclasses"], "verbs": READ},
        {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses/status"], "verbs": ["update"]},
    ], USERS["traefik"])
    objs += _role("storefleet:netpolicy", [
        {"apiGroups": [""], "resources": ["pods", "namespaces"], "verbs": READ},
        {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"], "verbs": READ},
    ], USERS["netpolicy"])
    objs += _role("storefleet:provisioner", [
        {"apiGroups": [""], "resources": ["persistentvolumeclaims"], "verbs": READ},
        {"apiGroups": [""], "resources": ["persistentvolumes"], "verbs": [*READ, "create", "delete"]},
        {"apiGroups": ["storage.k8s.io"], "resources": ["storageclasses"], "verbs": READ},
    ], USERS["provisioner"])
    bind_api = _role("storefleet:apiserver-kubelet-client", [], USERS["apiserver-kubelet-client"])[1]
    bind_api["roleRef"]["name"] = "system:kubelet-api-admin"
    objs.append(bind_api)
    objs.append({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kube-dns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
        "spec": {"clusterIP": CLUSTER_DNS_IP, "ports": [
            {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
            {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}]},
    })
    objs.append({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "kube-dns-node", "namespace": "kube-system",
                     "labels": {"kubernetes.io/service-name": "kube-dns",
                                "endpointslice.kubernetes.io/managed-by": "storefleet-realnode"}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [GATEWAY_IP], "conditions": {"ready": True},
                       "nodeName": nodekinds.REAL_NODE_NAME}],
        "ports": [{"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53, "protocol": "TCP"}],
    })
    objs.append({
        "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
        "metadata": {"name": INGRESS_CLASS, "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
        "spec": {"controller": "traefik.io/ingress-controller"},
    })
    objs.append({
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": STORAGE_CLASS, "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": PROVISIONER, "reclaimPolicy": "Delete",
        # The volume is a directory on the node the Pod lands on, so wait until it has one.
        "volumeBindingMode": "WaitForFirstConsumer",
    })
    return objs
