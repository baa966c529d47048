"""The Medusa storefront in the chart: where a shopper lands, what the status says, how it is branded."""

from __future__ import annotations

import pytest
from tests.unit.chart.chartkit import HelmFailed, containers, env_of, named, operator_values, render, scenario
from tests.unit.operator.storekit import store

from storefleet_operator.store.observe import urls_from_ingress

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("storefront", "expected"),
    [(True, "http://shop.example.test"), (False, None)],
    ids=["storefront-enabled", "storefront-disabled"],
)
def test_status_says_where_to_shop_from_the_rendered_ingress(storefront: bool, expected: str | None) -> None:
    ingress = named(scenario("medusa", storefront, "default"), "Ingress", "shop")
    urls = urls_from_ingress(ingress, store(engine="medusa", medusa={"storefront": {"enabled": storefront}}))
    assert urls.storefront_url == expected
    assert urls.admin_url == "http://shop.example.test/admin/"


def test_every_medusa_prefix_outranks_the_storefront_catch_all() -> None:
    """Ingress controllers pick the longest matching Prefix; each Medusa path must be its own rule."""
    (rule,) = named(scenario("medusa", True, "default"), "Ingress", "shop")["spec"]["rules"]
    to_medusa = {p["path"] for p in rule["http"]["paths"] if p["backend"]["service"]["name"] == "shop-medusa"}
    assert to_medusa == {"/store", "/admin", "/app"}
    assert all(p["pathType"] == "Prefix" for p in rule["http"]["paths"])


def test_the_storefront_is_branded_at_runtime_with_the_stores_name() -> None:
    objs = render(
        operator_values(
            "medusa",
            storefront=True,
            medusa={"storefront": {"branding": {"primaryColor": "#0f766e", "logoUrl": "https://cdn.test/logo.svg"}}},
        )
    )
    (storefront,) = [c for c in containers(objs) if c.name == "storefront"]
    env = {name: e["value"] for name, e in env_of(storefront.spec).items()}
    assert env["STOREFRONT_NAME"] == "Shop & Co"
    assert (env["STOREFRONT_PRIMARY_COLOR"], env["STOREFRONT_ACCENT_COLOR"]) == ("#0f766e", "#7c3aed")
    assert env["STOREFRONT_LOGO_URL"] == "https://cdn.test/logo.svg"
    assert env["MEDUSA_BACKEND_URL"] == "http://shop-medusa:9000"


@pytest.mark.parametrize(
    "branding",
    [{"primaryColor": "red; background: url(x)"}, {"logoUrl": "javascript:alert(1)"}, {"font": "Comic Sans"}],
    ids=["colour-with-css", "script-url", "unknown-key"],
)
def test_branding_that_could_break_the_page_is_refused_at_install(branding: dict[str, str]) -> None:
    with pytest.raises(HelmFailed, match="branding"):
        render(operator_values("medusa", storefront=True, medusa={"storefront": {"branding": branding}}))
