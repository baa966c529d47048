"""Values the chart refuses, with the message a person sees from helm (schema first, then templates)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.chart.chartkit import HelmFailed, deep_merge, named, operator_values, render

pytestmark = pytest.mark.unit

SCHEMA = "values don't meet the specifications of the schema(s)"

REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("unknown-engine", {"engine": "magento"}, "at '/engine': value must be one of 'woocommerce', 'medusa'"),
    (
        "unknown-theme",
        {"woocommerce": {"theme": "divi"}},
        "at '/woocommerce/theme': value must be one of 'storefront', 'astra'",
    ),
    (
        "cpu-lots",
        {"woocommerce": {"wordpress": {"resources": {"limits": {"cpu": "lots"}}}}},
        "at '/woocommerce/wordpress/resources/limits/cpu': 'lots' does not match pattern",
    ),
    (
        "memory-in-gigs",
        {"medusa": {"resources": {"requests": {"memory": "2 gigs"}}}},
        "at '/medusa/resources/requests/memory': '2 gigs' does not match pattern",
    ),
    (
        "negative-cpu",
        {"woocommerce": {"mariadb": {"resources": {"requests": {"cpu": -1}}}}},
        "at '/woocommerce/mariadb/resources/requests/cpu'",
    ),
    (
        "quota-many-pods",
        {"resourceQuota": {"hard": {"pods": "many"}}},
        "at '/resourceQuota/hard/pods': 'many' does not match pattern",
    ),
    (
        "storage-size-words",
        {"medusa": {"postgres": {"persistence": {"size": "big"}}}},
        "at '/medusa/postgres/persistence/size': 'big' does not match pattern",
    ),
    ("unknown-top-level-key", {"replicas": 3}, "additional properties 'replicas' not allowed"),
    (
        "unknown-nested-key",
        {"ingress": {"hosts": ["a.example.test"]}},
        "additional properties 'hosts' not allowed",
    ),
    (
        "resources-without-limits",
        {"woocommerce": {"wpCli": {"resources": {"limits": None}}}},
        "at '/woocommerce/wpCli/resources'",
    ),
    ("uppercase-host", {"ingress": {"host": "Shop.Example.test"}}, "at '/ingress/host'"),
    (
        "pull-policy-sometimes",
        {"medusa": {"image": {"pullPolicy": "Sometimes"}}},
        "at '/medusa/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'",
    ),
    ("tenant-not-a-label", {"store": {"tenant": "Alice Smith"}}, "at '/store/tenant'"),
]


@pytest.mark.parametrize(("overrides", "message"), [(o, m) for _, o, m in REFUSED], ids=[i for i, _, _ in REFUSED])
def test_schema_refuses_impossible_values(overrides: dict[str, Any], message: str) -> None:
    values = deep_merge(operator_values("woocommerce"), overrides)
    with pytest.raises(HelmFailed) as refused:
        render(values)
    assert SCHEMA in str(refused.value)
    assert message in str(refused.value)


FAILED: list[tuple[str, dict[str, Any], str]] = [
    (
        "storefront-with-woocommerce",
        operator_values("woocommerce", medusa={"storefront": {"enabled": True}}),
        "medusa.storefront.enabled=true needs engine=medusa, but engine=woocommerce",
    ),
    (
        "no-credentials-secret",
        {"engine": "medusa", "ingress": {"host": "shop.example.test"}},
        "credentials.existingSecret is required",
    ),
    (
        "ingress-without-host",
        operator_values("woocommerce", host=None),
        "ingress.enabled=true needs a host: set ingress.host, or ingress.hostSuffix",
    ),
    (
        "cors-wildcard",
        operator_values("medusa", medusa={"storeCors": "https://a.example.test, *"}),
        'medusa.storeCors must not contain "*": Medusa v1 compares it literally',
    ),
    (
        "cors-unknowable",
        operator_values("medusa", host=None, ingress={"enabled": False}),
        "Medusa needs CORS origins",
    ),
    (
        "latest-image",
        operator_values("woocommerce", woocommerce={"mariadb": {"image": {"tag": "latest"}}}),
        "image mariadb:latest is not pinned",
    ),
    (
        "ingress-unreachable",
        operator_values("woocommerce", networkPolicy={"ingressNamespaces": []}),
        "networkPolicy.ingressNamespaces is empty while the Ingress and the NetworkPolicy are on",
    ),
]


@pytest.mark.parametrize(("values", "message"), [(v, m) for _, v, m in FAILED], ids=[i for i, _, _ in FAILED])
def test_templates_fail_early_on_values_that_cannot_work(values: dict[str, Any], message: str) -> None:
    with pytest.raises(HelmFailed) as refused:
        render(values)
    assert message in str(refused.value)


ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    ("cpu-as-number", {"woocommerce": {"wordpress": {"resources": {"limits": {"cpu": 1}}}}}),
    ("cpu-decimal", {"woocommerce": {"wordpress": {"resources": {"limits": {"cpu": "0.5"}}}}}),
    ("memory-decimal-suffix", {"woocommerce": {"mariadb": {"resources": {"limits": {"memory": "300M"}}}}}),
    ("tenantless-store", {"store": {"tenant": ""}}),
    ("theme-astra", {"woocommerce": {"theme": "astra"}}),
]


@pytest.mark.parametrize("overrides", [o for _, o in ACCEPTED], ids=[i for i, _ in ACCEPTED])
def test_schema_accepts_ordinary_kubernetes_spellings(overrides: dict[str, Any]) -> None:
    objs = render(deep_merge(operator_values("woocommerce"), overrides))
    assert named(objs, "Deployment", "shop-wordpress")
