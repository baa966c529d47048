"""The NetworkPolicy engine's compiler: policy objects in, nftables rules out (checked by ``nft -c``
where nft and root are available, so a rule the kernel would refuse fails here)."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import pytest

from storefleet_localcluster.netpolicy import compile_ruleset

pytestmark = pytest.mark.unit


def _pod(ns: str, name: str, ip: str, labels: dict[str, str], ports: dict[str, int] | None = None) -> dict[str, Any]:
    container = {"ports": [{"name": k, "containerPort": v} for k, v in (ports or {}).items()]}
    return {"metadata": {"namespace": ns, "name": name, "labels": labels},
            "spec": {"containers": [container]}, "status": {"podIP": ip}}


PODS = [_pod("a", "client", "10.244.128.5", {"app": "client"}),
        _pod("b", "web", "10.244.128.6", {"app": "web"}, {"http": 8080}),
        _pod("c", "other", "10.244.128.7", {"app": "other"})]
NAMESPACES = [{"metadata": {"name": n, "labels": {"team": "a"} if n == "a" else {}}} for n in "abc"]


def _policy(ns: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"namespace": ns, "name": "p"}, "spec": spec}


CASES = {
    "no-policy-no-chains": ([], [], ["jump"]),
    "ingress-from-namespace-on-named-port": (
        [_policy("b", {"podSelector": {"matchLabels": {"app": "web"}},
                       "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "a"}}}],
                                    "ports": [{"port": "http"}]}]})],
        ["ip daddr 10.244.128.6 jump ingress_", "ip saddr 10.244.128.5 meta l4proto tcp th dport 8080 accept"],
        ["10.244.128.7 meta"]),
    "deny-all-ingress": (
        [_policy("b", {"podSelector": {}, "policyTypes": ["Ingress"]})],
        ["ip daddr 10.244.128.6 jump ingress_"], ["accept\n    drop"]),
    "egress-ipblock-with-except-and-port-range": (
        [_policy("a", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [
            {"to": [{"ipBlock": {"cidr": "10.244.128.0/24", "except": ["10.244.128.7/32"]}}],
             "ports": [{"protocol": "UDP", "port": 53, "endPort": 60}]}]})],
        ["ip saddr 10.244.128.5 jump egress_",
         "ip daddr 10.244.128.0/24 ip daddr != { 10.244.128.7/32 } meta l4proto udp th dport 53-60 return"], []),
    "pod-selector-is-namespace-local": (
        [_policy("b", {"podSelector": {},
                       "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "client"}}}]}]})],
        ["jump ingress_"], ["ip saddr 10.244.128.5"]),
}


@pytest.mark.parametrize(("policies", "present", "absent"), list(CASES.values()), ids=list(CASES))
def test_compiled_rules(policies: list[dict[str, Any]], present: list[str], absent: list[str]) -> None:
    script = compile_ruleset(PODS, NAMESPACES, policies)
    for text in present:
        assert text in script
    for text in absent:
        assert text not in script
    # Pod traffic never leaves through another interface, whatever the policies.
    assert "ip saddr 10.244.128.0/24 ip daddr != 10.244.128.0/24 drop" in script
    if shutil.which("nft") and os.geteuid() == 0:
        check = subprocess.run(["nft", "-c", "-f", "-"], input=script, text=True, capture_output=True, check=False)
        assert check.returncode == 0, check.stderr + script
