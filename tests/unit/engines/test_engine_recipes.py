"""The exact commands each engine recipe runs, in order, with their probes (golden lists)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.unit.engines.enginekit import make_context

from storefleet_operator.engines import SkipWhen, recipe_for
from storefleet_operator.engines.medusa import medusa_recipe
from storefleet_operator.engines.recipes import Engine
from storefleet_operator.engines.woocommerce import woocommerce_recipe

pytestmark = pytest.mark.unit

U = "--user=admin"

# (name, argv, probe argv or None) for storefront, baked zips: the default store.
WOOCOMMERCE_GOLDEN = [
    ("wait-for-wp-config", ("wp", "config", "path"), None),
    (
        "install-wordpress-core",
        (
            "wp",
            "core",
            "install",
            "--url=http://my-shop.store.test",
            "--title=My Shop",
            "--admin_user=admin",
            "--admin_email=owner@shop.test",
            "--skip-email",
            "--prompt=admin_password",
            "--quiet",
        ),
        ("wp", "core", "is-installed"),
    ),
    (
        "install-woocommerce",
        ("wp", "plugin", "install", "/opt/storefleet/wordpress/plugins/woocommerce.9.5.2.zip"),
        ("wp", "plugin", "is-installed", "woocommerce"),
    ),
    ("activate-woocommerce", ("wp", "plugin", "activate", "woocommerce"), ("wp", "plugin", "is-active", "woocommerce")),
    (
        "install-theme",
        ("wp", "theme", "install", "/opt/storefleet/wordpress/themes/storefront.zip"),
        ("wp", "theme", "is-installed", "storefront"),
    ),
    ("activate-theme", ("wp", "theme", "activate", "storefront"), ("wp", "theme", "is-active", "storefront")),
    ("install-shop-pages", ("wp", "wc", "tool", "run", "install_pages", U), None),
    ("set-store-address", ("wp", "option", "update", "woocommerce_store_address", "123 Main St"), None),
    ("set-store-city", ("wp", "option", "update", "woocommerce_store_city", "San Francisco"), None),
    ("set-store-country", ("wp", "option", "update", "woocommerce_default_country", "US:CA"), None),
    ("set-store-postcode", ("wp", "option", "update", "woocommerce_store_postcode", "94105"), None),
    ("set-currency", ("wp", "option", "update", "woocommerce_currency", "USD"), None),
    ("disable-taxes", ("wp", "option", "update", "woocommerce_calc_taxes", "no"), None),
    ("enable-cash-on-delivery", ("wp", "wc", "payment_gateway", "update", "cod", "--enabled=true", U), None),
    (
        "add-shipping-method",
        ("wp", "wc", "shipping_zone_method", "create", "0", "--method_id=free_shipping", "--enabled=true", U),
        ("wp", "wc", "shipping_zone_method", "list", "0", U, "--format=ids"),
    ),
    ("disable-coming-soon", ("wp", "option", "update", "woocommerce_coming_soon", "no"), None),
    (
        "skip-onboarding",
        ("wp", "option", "update", "woocommerce_onboarding_profile", '{"skipped":true}', "--format=json"),
        None,
    ),
    ("hide-task-list", ("wp", "option", "update", "woocommerce_task_list_hidden", "yes"), None),
    (
        "create-sample-product",
        (
            "wp",
            "wc",
            "product",
            "create",
            "--name=Sample Product",
            "--slug=sample-product",
            "--type=simple",
            "--regular_price=19.99",
            "--status=publish",
            U,
            "--porcelain",
        ),
        ("wp", "post", "list", "--post_type=product", "--name=sample-product", "--post_status=any", "--field=ID"),
    ),
    ("set-permalinks", ("wp", "rewrite", "structure", "/%postname%/"), None),
    ("verify-woocommerce-active", ("wp", "plugin", "is-active", "woocommerce"), None),
    ("verify-currency", ("wp", "option", "get", "woocommerce_currency"), None),
]

# What changes with the theme and with where WooCommerce and the theme come from.
VARIANTS = {
    "storefront-baked": ({"theme": "storefront", "baked": True}, {}),
    "astra-baked": (
        {"theme": "astra", "baked": True},
        {
            "install-theme": (
                ("wp", "theme", "install", "/opt/storefleet/wordpress/themes/astra.zip"),
                ("wp", "theme", "is-installed", "astra"),
            ),
            "activate-theme": (("wp", "theme", "activate", "astra"), ("wp", "theme", "is-active", "astra")),
        },
    ),
    "storefront-from-directory": (
        {"theme": "storefront", "baked": False},
        {
            "install-woocommerce": (
                ("wp", "plugin", "install", "woocommerce", "--version=9.5.2"),
                ("wp", "plugin", "is-installed", "woocommerce"),
            ),
            "install-theme": (("wp", "theme", "install", "storefront"), ("wp", "theme", "is-installed", "storefront")),
        },
    ),
    "astra-from-directory": (
        {"theme": "astra", "baked": False},
        {
            "install-woocommerce": (
                ("wp", "plugin", "install", "woocommerce", "--version=9.5.2"),
                ("wp", "plugin", "is-installed", "woocommerce"),
            ),
            "install-theme": (("wp", "theme", "install", "astra"), ("wp", "theme", "is-installed", "astra")),
            "activate-theme": (("wp", "theme", "activate", "astra"), ("wp", "theme", "is-active", "astra")),
        },
    ),
}


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_woocommerce_recipe_runs_exactly_these_commands(variant: tuple[dict[str, Any], dict[str, Any]]) -> None:
    options, changes = variant
    expected = [(name, *changes.get(name, (argv, probe))) for name, argv, probe in WOOCOMMERCE_GOLDEN]
    steps = woocommerce_recipe(make_context(**options))
    actual = [(s.name, s.argv, s.probe.argv if s.probe else None) for s in steps]
    assert actual == expected
    assert {s.container for s in steps} == {"wp-cli"}


def test_woocommerce_password_goes_to_stdin_of_core_install_only() -> None:
    steps = {s.name: s for s in woocommerce_recipe(make_context(password="s3cret-Pa55"))}
    assert steps["install-wordpress-core"].stdin == "s3cret-Pa55\n"
    assert [name for name, s in steps.items() if s.stdin is not None] == ["install-wordpress-core"]


def test_every_woocommerce_cli_call_names_the_admin_user() -> None:
    steps = woocommerce_recipe(make_context(username="shop owner"))
    wc_calls = [s.argv for s in steps if s.argv[:2] == ("wp", "wc")]
    wc_calls += [s.probe.argv for s in steps if s.probe and s.probe.argv[:2] == ("wp", "wc")]
    assert len(wc_calls) == 5
    assert all("--user=shop owner" in argv for argv in wc_calls)


def test_list_probes_skip_only_when_something_was_listed() -> None:
    steps = {s.name: s for s in woocommerce_recipe(make_context())}
    for name in ("add-shipping-method", "create-sample-product"):
        probe = steps[name].probe
        assert probe is not None and probe.skip_when is SkipWhen.STDOUT_NONEMPTY


@pytest.mark.parametrize("currency", ["USD", "EUR"])
def test_woocommerce_verification_checks_the_configured_currency(currency: str) -> None:
    steps = {s.name: s for s in woocommerce_recipe(make_context(currency=currency))}
    assert steps["set-currency"].argv[-1] == currency
    assert steps["verify-currency"].expect_stdout == currency


def test_medusa_recipe_runs_exactly_these_commands() -> None:
    steps = medusa_recipe(make_context(display_name="My Shop"))
    assert [(s.name, s.argv, s.probe) for s in steps] == [
        ("wait-for-medusa-health", ("storefleet-medusa", "health"), None),
        ("ensure-admin-user", ("storefleet-medusa", "ensure-admin"), None),
        ("set-store-name", ("storefleet-medusa", "set-store-name", "--name", "My Shop"), None),
        ("verify-medusa-catalog", ("storefleet-medusa", "verify"), None),
    ]
    assert {s.container for s in steps} == {"medusa"}


def test_medusa_admin_credentials_go_to_stdin_as_json() -> None:
    steps = {s.name: s for s in medusa_recipe(make_context(email="owner@shop.test", password="pw-1"))}
    stdin = steps["ensure-admin-user"].stdin
    assert stdin is not None and json.loads(stdin) == {"email": "owner@shop.test", "password": "pw-1"}
    assert [name for name, s in steps.items() if s.stdin is not None] == ["ensure-admin-user"]


@pytest.mark.parametrize(
    ("engine", "selector", "container", "first_step"),
    [
        ("woocommerce", "app.kubernetes.io/component=wordpress", "wp-cli", "wait-for-wp-config"),
        ("medusa", "app.kubernetes.io/component=medusa", "medusa", "wait-for-medusa-health"),
    ],
)
def test_recipe_for_names_the_pod_and_container(engine: Engine, selector: str, container: str, first_step: str) -> None:
    recipe = recipe_for(engine, make_context())
    assert recipe.target.selector == selector
    assert recipe.target.container == container
    assert recipe.step_names[0] == first_step
    assert len(set(recipe.step_names)) == len(recipe.steps), "step names must be unique to resume by name"


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        recipe_for("magento", make_context())  # type: ignore[arg-type]
