"""The WooCommerce setup recipe: WP-CLI commands run in the ``wp-cli`` sidecar of the WordPress pod.

Every command is an argv list run without a shell. The admin password reaches WP-CLI only on STDIN
through ``--prompt=admin_password``; user text (store name, admin login and email) travels only as the
value part of a single ``--key=value`` element, never as a positional argument, because WP-CLI parses
any positional that starts with ``--`` as a flag. Each step is idempotent on its own or guarded by a
probe, so re-running the recipe changes nothing.
"""

from __future__ import annotations

import re
from typing import Final

from .context import SetupContext, check_woocommerce
from .steps import Probe, SetupStep, SkipWhen

WOOCOMMERCE_VERSION: Final = "9.5.2"
"""WooCommerce 9.5 needs WordPress >= 6.6; the chart runs wordpress:6.7."""
CONTAINER: Final = "wp-cli"
COMPONENT: Final = "wordpress"
RECIPE_VERSION: Final = "woocommerce/1"

SAMPLE_PRODUCT_SLUG: Final = "sample-product"
SAMPLE_PRODUCT_PRICE: Final = "19.99"
PERMALINK_STRUCTURE: Final = "/%postname%/"


def woocommerce_recipe(ctx: SetupContext) -> tuple[SetupStep, ...]:
    """The ordered WooCommerce setup steps for one store."""
    check_woocommerce(ctx)
    user = f"--user={ctx.admin.username}"

    def step(
        name: str,
        title: str,
        *argv: str,
        stdin: str | None = None,
        secrets: tuple[str, ...] = (),
        probe: Probe | None = None,
        timeout_seconds: float = 60.0,
        attempts: int | None = None,
        expect_stdout: str | None = None,
    ) -> SetupStep:
        return SetupStep(
            name=name,
            title=title,
            container=CONTAINER,
            argv=("wp", *argv),
            stdin=stdin,
            secrets=secrets,
            probe=probe,
            timeout_seconds=timeout_seconds,
            attempts=attempts,
            expect_stdout=expect_stdout,
        )

    def option(name: str, title: str, key: str, value: str, *extra: str) -> SetupStep:
        return step(name, title, "option", "update", key, value, *extra)

    if ctx.baked:
        plugin_source = f"{ctx.baked_zip_dir}/plugins/woocommerce.{WOOCOMMERCE_VERSION}.zip"
        plugin_install: tuple[str, ...] = ("plugin", "install", plugin_source)
        theme_install: tuple[str, ...] = ("theme", "install", f"{ctx.baked_zip_dir}/themes/{ctx.theme}.zip")
    else:
        plugin_install = ("plugin", "install", "woocommerce", f"--version={WOOCOMMERCE_VERSION}")
        theme_install = ("theme", "install", ctx.theme)

    return (
        # The apache entrypoint writes wp-config.php when the pod starts; `wp config path` fails until
        # then, and the runner's retries are the wait (no sleep loop in a shell).
        step(
            "wait-for-wp-config",
            "Waiting for WordPress configuration",
            "config",
            "path",
            timeout_seconds=30.0,
            attempts=12,
        ),
        step(
            "install-wordpress-core",
            "Installing WordPress",
            "core",
            "install",
            f"--url={ctx.site_url}",
            f"--title={ctx.display_name}",
            f"--admin_user={ctx.admin.username}",
            f"--admin_email={ctx.admin.email}",
            "--skip-email",
            # The password is read from STDIN, one line, never passed in argv.
            "--prompt=admin_password",
            # After prompting, WP-CLI logs the completed command line, prompted password included
            # (WP_CLI\Dispatcher\Subcommand::invoke); --quiet silences that, and the runner redacts anyway.
            "--quiet",
            stdin=ctx.admin.password + "\n",
            secrets=(ctx.admin.password,),
            probe=Probe(("wp", "core", "is-installed")),
            timeout_seconds=180.0,
        ),
        step(
            "install-woocommerce",
            f"Installing WooCommerce {WOOCOMMERCE_VERSION}",
            *plugin_install,
            probe=Probe(("wp", "plugin", "is-installed", "woocommerce")),
            timeout_seconds=300.0,
        ),
        step(
            "activate-woocommerce",
            "Activating WooCommerce",
            "plugin",
            "activate",
            "woocommerce",
            probe=Probe(("wp", "plugin", "is-active", "woocommerce")),
            timeout_seconds=180.0,
        ),
        step(
            "install-theme",
            f"Installing the {ctx.theme} theme",
            *theme_install,
            probe=Probe(("wp", "theme", "is-installed", ctx.theme)),
            timeout_seconds=300.0,
        ),
        step(
            "activate-theme",
            f"Activating the {ctx.theme} theme",
            "theme",
            "activate",
            ctx.theme,
            probe=Probe(("wp", "theme", "is-active", ctx.theme)),
        ),
        # WooCommerce's own tool creates Shop/Cart/Checkout/My account only where they are missing.
        step(
            "install-shop-pages",
            "Creating the shop pages",
            "wc",
            "tool",
            "run",
            "install_pages",
            user,
            timeout_seconds=120.0,
        ),
        option("set-store-address", "Setting the store address", "woocommerce_store_address", ctx.address.street),
        option("set-store-city", "Setting the store city", "woocommerce_store_city", ctx.address.city),
        option("set-store-country", "Setting the store country", "woocommerce_default_country", ctx.address.country),
        option("set-store-postcode", "Setting the store postcode", "woocommerce_store_postcode", ctx.address.postcode),
        option("set-currency", f"Setting the currency to {ctx.currency}", "woocommerce_currency", ctx.currency),
        option("disable-taxes", "Turning off tax calculation", "woocommerce_calc_taxes", "no"),
        step(
            "enable-cash-on-delivery",
            "Enabling Cash on Delivery",
            "wc",
            "payment_gateway",
            "update",
            "cod",
            "--enabled=true",
            user,
        ),
        # WooCommerce 9 refuses checkout of physical goods when no shipping method applies.
        step(
            "add-shipping-method",
            "Adding free shipping for all locations",
            "wc",
            "shipping_zone_method",
            "create",
            "0",
            "--method_id=free_shipping",
            "--enabled=true",
            user,
            probe=Probe(
                ("wp", "wc", "shipping_zone_method", "list", "0", user, "--format=ids"), SkipWhen.STDOUT_NONEMPTY
            ),
        ),
        # Fresh WooCommerce installs start in coming-soon mode (woocommerce PR #53685).
        option("disable-coming-soon", "Opening the store to visitors", "woocommerce_coming_soon", "no"),
        option(
            "skip-onboarding",
            "Skipping the onboarding wizard",
            "woocommerce_onboarding_profile",
            '{"skipped":true}',
            "--format=json",
        ),
        option("hide-task-list", "Hiding the setup task list", "woocommerce_task_list_hidden", "yes"),
        step(
            "create-sample-product",
            "Creating the sample product",
            "wc",
            "product",
            "create",
            "--name=Sample Product",
            f"--slug={SAMPLE_PRODUCT_SLUG}",
            "--type=simple",
            f"--regular_price={SAMPLE_PRODUCT_PRICE}",
            "--status=publish",
            user,
            "--porcelain",
            probe=Probe(
                (
                    "wp",
                    "post",
                    "list",
                    "--post_type=product",
                    f"--name={SAMPLE_PRODUCT_SLUG}",
                    "--post_status=any",
                    "--field=ID",
                ),
                SkipWhen.STDOUT_NONEMPTY,
            ),
            timeout_seconds=120.0,
        ),
        # `rewrite structure` also flushes the rewrite rules; the image ships WordPress's .htaccess.
        step("set-permalinks", "Turning on pretty permalinks", "rewrite", "structure", PERMALINK_STRUCTURE),
        step(
            "verify-woocommerce-active",
            "Checking that WooCommerce is active",
            "plugin",
            "is-active",
            "woocommerce",
            attempts=3,
        ),
        step(
            "verify-currency",
            f"Checking that the currency is {ctx.currency}",
            "option",
            "get",
            "woocommerce_currency",
            expect_stdout=re.escape(ctx.currency),
            attempts=3,
        ),
    )
