"""How a store is reached: Ingress routes, TLS, public URLs, and the NetworkPolicies around it."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.chart.chartkit import containers, env_of, named, of_kind, operator_values, render, scenario

pytestmark = pytest.mark.unit


def routes(ingress: dict[str, Any]) -> dict[str, tuple[str, str]]:
    (rule,) = ingress["spec"]["rules"]
    return {
        p["path"]: (p["backend"]["service"]["name"], p["backend"]["service"]["port"]["name"])
        for p in rule["http"]["paths"]
        if p["pathType"] == "Prefix"
    }


@pytest.mark.parametrize(
    ("engine", "storefront", "expected"),
    [
        ("woocommerce", False, {"/": ("shop-wordpress", "http")}),
        ("medusa", False, {"/": ("shop-medusa", "http")}),
        (
            "medusa",
            True,
            {
                "/": ("shop-storefront", "http"),
                "/store": ("shop-medusa", "http"),
                "/admin": ("shop-medusa", "http"),
                "/app": ("shop-medusa", "http"),
            },
        ),
    ],
    ids=["woocommerce", "medusa", "medusa-storefront"],
)
def test_ingress_routes_each_path_to_the_right_service(
    engine: str, storefront: bool, expected: dict[str, tuple[str, str]]
) -> None:
    objs = scenario(engine, storefront, "default")
    assert routes(named(objs, "Ingress", "shop")) == expected
    # Every routed Service exists and exposes the named port.
    for service, port in expected.values():
        assert port in {p["name"] for p in named(objs, "Service", service)["spec"]["ports"]}


def test_vps_serves_https_with_a_named_certificate_secret() -> None:
    """Predecessor bug: TLS without secretName, so cert-manager never issued a certificate."""
    objs = scenario("medusa", True, "vps")
    ingress = named(objs, "Ingress", "shop")
    assert ingress["spec"]["ingressClassName"] == "traefik"
    assert ingress["spec"]["tls"] == [{"hosts": ["shop.example.test"], "secretName": "shop-tls"}]
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt-prod"
    medusa_env = env_of(named(objs, "Deployment", "shop-medusa")["spec"]["template"]["spec"]["containers"][0])
    assert medusa_env["STORE_CORS"]["value"] == "https://shop.example.test"
    assert medusa_env["ADMIN_CORS"]["value"] == "https://shop.example.test"


def test_an_explicit_tls_secret_name_wins() -> None:
    objs = render(operator_values("woocommerce", ingress={"tls": {"enabled": True, "secretName": "wild-tls"}}))
    assert named(objs, "Ingress", "shop")["spec"]["tls"][0]["secretName"] == "wild-tls"


def test_local_hosts_are_built_from_the_store_name_under_localhost() -> None:
    objs = scenario("medusa", False, "local")
    ingress = named(objs, "Ingress", "shop")
    assert ingress["spec"]["ingressClassName"] == "traefik"  # the local real node's controller
    assert ingress["spec"]["rules"][0]["host"] == "shop.localhost"
    assert "tls" not in ingress["spec"]
    env = env_of(named(objs, "Deployment", "shop-medusa")["spec"]["template"]["spec"]["containers"][0])
    assert env["STORE_CORS"]["value"] == "/.*/"


def test_default_cors_is_the_stores_own_http_origin_never_a_wildcard() -> None:
    objs = scenario("medusa", True, "default")
    for c in containers(objs):
        env = env_of(c.spec)
        if "STORE_CORS" in env:
            assert env["STORE_CORS"]["value"] == env["ADMIN_CORS"]["value"] == "http://shop.example.test"


def test_no_ingress_when_disabled() -> None:
    objs = render(operator_values("woocommerce", ingress={"enabled": False}))
    assert of_kind(objs, "Ingress") == []


# ---------- NetworkPolicy ----------


@pytest.mark.parametrize(
    ("engine", "storefront", "components", "ports"),
    [
        ("woocommerce", False, ["wordpress"], {80}),
        ("medusa", False, ["medusa"], {9000}),
        ("medusa", True, ["medusa", "storefront"], {9000, 8080}),
    ],
    ids=["woocommerce", "medusa", "medusa-storefront"],
)
@pytest.mark.parametrize(
    ("profile", "namespaces"),
    [
        ("default", ["ingress-nginx"]),
        ("local", ["kube-system", "ingress-nginx"]),
        ("vps", ["kube-system"]),
    ],
    ids=["default", "local", "vps"],
)
def test_ingress_controller_reaches_serving_ports_only(
    engine: str, storefront: bool, components: list[str], ports: set[int], profile: str, namespaces: list[str]
) -> None:
    """Predecessor bug B5: only ingress-nginx on 80/443, so Traefik and Medusa's 9000 were cut off."""
    policy = named(scenario(engine, storefront, profile), "NetworkPolicy", "shop-ingress")
    selector = {e["key"]: e["values"] for e in policy["spec"]["podSelector"]["matchExpressions"]}
    assert selector == {"app.kubernetes.io/instance": ["shop"], "app.kubernetes.io/component": components}
    (rule,) = policy["spec"]["ingress"]
    (source,) = rule["from"]
    assert source == {
        "namespaceSelector": {
            "matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": namespaces}]
        }
    }
    assert {p["port"] for p in rule["ports"]} == ports
    assert {p["protocol"] for p in rule["ports"]} == {"TCP"}
    # The ports are ones the selected pods really listen on.
    listening = {
        p["containerPort"] for c in containers(scenario(engine, storefront, profile)) for p in c.spec.get("ports", [])
    }
    assert ports <= listening


@pytest.mark.parametrize("profile", ["default", "local", "vps"])
def test_other_namespaces_are_denied_both_ways(profile: str) -> None:
    policy = named(scenario("woocommerce", False, profile), "NetworkPolicy", "shop-isolation")
    spec = policy["spec"]
    assert spec["podSelector"] == {}
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    # Ingress: only pods of this namespace (the controller's namespace is admitted by shop-ingress).
    assert spec["ingress"] == [{"from": [{"podSelector": {}}]}]
    egress = spec["egress"]
    assert egress[0] == {"to": [{"podSelector": {}}]}
    # DNS may go to any namespace, but only on port 53.
    assert egress[1] == {
        "to": [{"namespaceSelector": {}}],
        "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
    }


@pytest.mark.parametrize(("internet", "expected_rules"), [(True, 3), (False, 2)], ids=["open", "closed"])
def test_internet_egress_is_configurable_and_never_reaches_private_ranges(internet: bool, expected_rules: int) -> None:
    objs = render(operator_values("woocommerce", networkPolicy={"egress": {"internet": internet}}))
    egress = named(objs, "NetworkPolicy", "shop-isolation")["spec"]["egress"]
    assert len(egress) == expected_rules
    if internet:
        (block,) = egress[2]["to"]
        assert block["ipBlock"]["cidr"] == "0.0.0.0/0"
        assert set(block["ipBlock"]["except"]) >= {
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "169.254.0.0/16",
        }
        assert {p["port"] for p in egress[2]["ports"]} == {80, 443}
    else:
        assert all("ipBlock" not in peer for rule in egress for peer in rule.get("to", []))


def test_network_policy_can_be_switched_off() -> None:
    objs = render(operator_values("medusa", networkPolicy={"enabled": False}))
    assert of_kind(objs, "NetworkPolicy") == []
