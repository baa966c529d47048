"""A small, real NetworkPolicy engine for the real node: Pods, Namespaces and NetworkPolicies in,
one nftables table out, loaded atomically (``nft -f``) whenever the compiled rules change.

Why our own: kube-network-policies (SIG Network) hands every new connection to userspace with the
nftables ``queue`` statement, and this machine's kernel is built without CONFIG_NFT_QUEUE, so its
rules cannot load; kube-router v2.1.0 has reported security flaws. The kernel still does the
enforcing here; this module only compiles policy to rules (``compile_ruleset`` is pure).

Semantics (networking.k8s.io/v1): a Pod selected by a policy of type Ingress (Egress) is isolated in
that direction and only admits what some selecting policy's rules allow; a connection needs both the
sender's egress and the receiver's ingress to allow it. Peers are podSelector / namespaceSelector /
ipBlock (with except); ports may be numbers, ranges (endPort) or names resolved against the Pod.
Enforced in the ``forward`` hook on new connections between pods (bridged traffic reaches it through
br_netfilter); traffic from and to the node itself (kubelet probes, Traefik, CoreDNS on the bridge
address) is not filtered, as the API allows for node traffic. The same table drops anything a pod sends
to an address outside the pod range that the host would forward: pod networks never route off the machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from typing import Any

from .nodeconfig import NETPOL_TABLE, NODE_POD_CIDR

Obj = dict[str, Any]


def _matches(selector: Obj | None, labels: dict[str, str]) -> bool:
    """A LabelSelector; None (absent) matches nothing, {} matches everything."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        ok = {"In": key in labels and labels[key] in values, "NotIn": labels.get(key) not in values,
              "Exists": key in labels, "DoesNotExist": key not in labels}[op]
        if not ok:
            return False
    return True


def _labels(obj: Obj) -> dict[str, str]:
    return obj.get("metadata", {}).get("labels") or {}


def _ns(obj: Obj) -> str:
    return str(obj["metadata"].get("namespace", ""))


def _peer_addrs(peer: Obj, policy_ns: str, pods: list[Obj], namespaces: dict[str, dict[str, str]]) -> list[str]:
    """Addresses (IPs or 'cidr except ...' terms) of one NetworkPolicyPeer."""
    if "ipBlock" in peer:
        block = peer["ipBlock"]
        excepts = block.get("except") or []
        # "@DIR" becomes saddr or daddr once the direction is known.
        return [block["cidr"] + (f" ip @DIR != {{ {', '.join(excepts)} }}" if excepts else "")]
    out = []
    for pod in pods:
        ns = _ns(pod)
        if "namespaceSelector" in peer:
            if not _matches(peer["namespaceSelector"], namespaces.get(ns, {})):
                continue
        elif ns != policy_ns:
            continue
        if "podSelector" in peer and not _matches(peer["podSelector"], _labels(pod)):
            continue
        out.append(pod["status"]["podIP"])
    return out


def _ports(rule_ports: list[Obj] | None, pod: Obj | None) -> list[str]:
    """nft port terms ('tcp th dport 80', 'udp th dport 53-60'); [''] means any port and protocol."""
    if not rule_ports:
        return [""]
    terms = []
    for port in rule_ports:
        proto = str(port.get("protocol", "TCP")).lower()
        value = port.get("port")
        if value is None:
            terms.append(f"meta l4proto {proto}")
            continue
        if isinstance(value, str) and not value.isdigit():
            numbers = [cp["containerPort"] for c in (pod or {}).get("spec", {}).get("containers", [])
                       for cp in c.get("ports") or [] if cp.get("name") == value
                       and str(cp.get("protocol", "TCP")).lower() == proto]
            terms += [f"meta l4proto {proto} th dport {n}" for n in numbers]
            continue
        end = port.get("endPort")
        span = f"{value}-{end}" if end else f"{value}"
        terms.append(f"meta l4proto {proto} th dport {span}")
    return terms


def _types(policy: Obj) -> list[str]:
    spec = policy["spec"]
    return list(spec.get("policyTypes") or (["Ingress", "Egress"] if "egress" in spec else ["Ingress"]))


def compile_ruleset(pods: list[Obj], namespaces: list[Obj], policies: list[Obj]) -> str:
    """The complete nft script (deletes and recreates our table in one transaction)."""
    ns_labels = {n["metadata"]["name"]: _labels(n) for n in namespaces}
    pods = [p for p in pods if p.get("status", {}).get("podIP") and not p["spec"].get("hostNetwork")]
    chains: list[str] = []
    jumps: list[str] = []
    for index, pod in enumerate(sorted(pods, key=lambda p: str(p["status"]["podIP"]))):
        ip = pod["status"]["podIP"]
        selecting = [pol for pol in policies if _ns(pol) == _ns(pod)
                     and _matches(pol["spec"].get("podSelector", {}), _labels(pod))]
        for direction, hook_addr, peer_addr, verdict in (("Ingress", "daddr", "saddr", "accept"),
                                                         ("Egress", "saddr", "daddr", "return")):
            applying = [pol for pol in selecting if direction in _types(pol)]
            if not applying:
                continue
            name = f"{direction.lower()}_{index}"
            body = []
            for pol in applying:
                for rule in pol["spec"].get(direction.lower()) or []:
                    peers = rule.get("from" if direction == "Ingress" else "to")
                    addrs = ([""] if not peers else
                             [a for peer in peers for a in _peer_addrs(peer, _ns(pol), pods, ns_labels)])
                    for addr in addrs:
                        # Ingress: named ports are this pod's; egress: the destination pod's.
                        dest = pod if direction == "Ingress" else next(
                            (p for p in pods if p["status"]["podIP"] == addr), None)
                        for port in _ports(rule.get("ports"), dest):
                            match = f"ip {peer_addr} {addr} ".replace("@DIR", peer_addr) if addr else ""
                            body.append(f"    {match}{port} {verdict}".replace("  ", " ").rstrip())
            body.append("    drop")
            chains.append(f"  chain {name} {{\n" + "\n".join(f"    {line.strip()}" for line in body) + "\n  }")
            jumps.append(f"    ip {hook_addr} {ip} jump {name}")
    egress = [j for j in jumps if "jump egress_" in j]
    ingress = [j for j in jumps if "jump ingress_" in j]
    forward = [
        "    type filter hook forward priority -5; policy accept;",
        # Never off the machine: bridged packets show the bridge port (a veth) as their interfaces
        # here, so judge by address: from a pod, forwarded, not to a pod = leaving.
        f"    ip saddr {NODE_POD_CIDR} ip daddr != {NODE_POD_CIDR} drop",
        "    ct state established,related accept",
        *egress, *ingress,
    ]
    return (
        f"table inet {NETPOL_TABLE}\ndelete table inet {NETPOL_TABLE}\n"
        f"table inet {NETPOL_TABLE} {{\n" + "\n".join(chains) + ("\n" if chains else "")
        + "  chain forward {\n" + "\n".join(forward) + "\n  }\n}\n"
    )


def remove_table() -> None:
    subprocess.run(["nft", "delete", "table", "inet", NETPOL_TABLE], capture_output=True, check=False)


def main(argv: list[str] | None = None) -> int:
    from kubernetes import client, config  # the engine process only; compile_ruleset stays import-light

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--node", required=True)
    # One pass lists pods, namespaces and policies; once a second keeps the engine under ~10% of a core.
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args(argv)
    api = config.new_client_from_config(args.kubeconfig)
    core, net = client.CoreV1Api(api), client.NetworkingV1Api(api)
    loaded = ""
    while True:
        try:
            plain = api.sanitize_for_serialization  # camelCase dicts, as the API serves them
            pods = plain(core.list_pod_for_all_namespaces(field_selector=f"spec.nodeName={args.node}"))
            nss = plain(core.list_namespace())
            pols = plain(net.list_network_policy_for_all_namespaces())
            script = compile_ruleset(pods["items"], nss["items"], pols["items"])
            if script != loaded:
                done = subprocess.run(["nft", "-f", "-"], input=script, text=True, capture_output=True, check=False)
                if done.returncode == 0:
                    loaded = script
                    print(f"loaded ruleset ({script.count(' chain ')} chains)", flush=True)
                else:
                    print(f"nft refused the ruleset: {done.stderr}\n{script}", file=sys.stderr, flush=True)
        except Exception as exc:
            print(f"policy sync failed: {exc}", file=sys.stderr, flush=True)
        time.sleep(args.interval)


if __name__ == "__main__":
    raise SystemExit(main())
