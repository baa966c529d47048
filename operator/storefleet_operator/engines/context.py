"""The inputs an engine setup recipe is built from, checked before any command is built.

The operator fills a ``SetupContext`` from the Store spec and the store's credentials Secret (values in
memory only). Validation here is about what the engine tools can carry safely, not about the Store
schema (the CRD and the pydantic models own that): a value that would be misparsed by WP-CLI or cannot
travel in an argv is refused with a message that never repeats a secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, Literal

Theme = Literal["storefront", "astra"]
THEMES: Final[tuple[Theme, ...]] = ("storefront", "astra")

_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
# WordPress's sanitize_user(strict) keeps only these; anything else would be silently stripped, and the
# later `--user=<login>` calls would then name a user that does not exist.
_WP_LOGIN: Final = re.compile(r"^[A-Za-z0-9 _.@-]{1,60}$")
_EMAIL: Final = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
_CURRENCY: Final = re.compile(r"^[A-Z]{3}$")
_COUNTRY: Final = re.compile(r"^[A-Z]{2}(:[A-Z0-9-]{1,6})?$")
_URL: Final = re.compile(r"^https?://[^\s\x00-\x1f\x7f]+$")

WP_PROMPT_MAX_BYTES: Final = 1024
"""WP-CLI's ``--prompt`` reads one line of at most 1024 bytes from STDIN (``stream_get_line(STDIN,
1024, "\\n")`` in ``WP_CLI\\Dispatcher\\Subcommand::prompt``)."""


class UnsafeSetupInput(ValueError):
    """A setup input cannot be passed to the engine tools safely. The message names the field only."""


@dataclass(frozen=True)
class AdminCredentials:
    """The store owner's admin account, as read from the credentials Secret."""

    username: str
    email: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class StoreAddress:
    """WooCommerce's store address and country (``woocommerce_default_country`` is ``CC:STATE``)."""

    street: str = "123 Main St"
    city: str = "San Francisco"
    country: str = "US:CA"
    postcode: str = "94105"


@dataclass(frozen=True)
class SetupContext:
    """Everything a recipe needs about one store."""

    display_name: str
    site_url: str
    admin: AdminCredentials
    theme: Theme = "storefront"
    currency: str = "USD"
    address: StoreAddress = field(default_factory=StoreAddress)
    baked: bool = True
    """WooCommerce and theme zips are baked into the image (air-gapped clusters) rather than fetched
    from the WordPress.org directory."""
    baked_zip_dir: str = "/opt/storefleet/wordpress"
    """Where the image keeps ``plugins/woocommerce.<version>.zip`` and ``themes/<theme>.zip``."""


def check_common(ctx: SetupContext) -> None:
    """Checks every engine needs: values that go into argv must be representable there."""
    if "\x00" in ctx.display_name:
        raise UnsafeSetupInput("the store display name contains a NUL character, which no argv can carry")
    if not ctx.display_name.strip():
        raise UnsafeSetupInput("the store display name is empty")
    if not _EMAIL.fullmatch(ctx.admin.email):
        raise UnsafeSetupInput("the admin email is not a single address like name@example.com")
    if not ctx.admin.password:
        raise UnsafeSetupInput("the admin password is empty")
    if "\x00" in ctx.admin.password:
        raise UnsafeSetupInput("the admin password contains a NUL character")


def check_woocommerce(ctx: SetupContext) -> None:
    """Checks specific to WP-CLI: prompt-safe password, option values that cannot pose as flags."""
    check_common(ctx)
    if not _URL.fullmatch(ctx.site_url):
        raise UnsafeSetupInput("the site URL must be an absolute http(s) URL without spaces")
    if not _WP_LOGIN.fullmatch(ctx.admin.username):
        raise UnsafeSetupInput(
            "the admin username must be 1-60 characters of letters, digits, space, '_', '.', '@' or '-'"
        )
    password = ctx.admin.password
    if _CONTROL.search(password):
        raise UnsafeSetupInput(
            "the admin password contains a line break or control character; WP-CLI reads it as one line from STDIN"
        )
    if len(password.encode()) > WP_PROMPT_MAX_BYTES:
        raise UnsafeSetupInput(f"the admin password is longer than WP-CLI's {WP_PROMPT_MAX_BYTES}-byte prompt")
    if ctx.theme not in THEMES:
        raise UnsafeSetupInput(f"the theme must be one of {', '.join(THEMES)}")
    if not _CURRENCY.fullmatch(ctx.currency):
        raise UnsafeSetupInput("the currency must be an ISO 4217 code like USD")
    if not _COUNTRY.fullmatch(ctx.address.country):
        raise UnsafeSetupInput("the store country must look like US or US:CA")
    for label, value in (
        ("street", ctx.address.street),
        ("city", ctx.address.city),
        ("postcode", ctx.address.postcode),
    ):
        # These travel as positional values of `wp option update`; WP-CLI treats any argument that
        # starts with "--" as a flag (Configurator::extract_assoc), so a leading dash is refused.
        if not value or value.startswith("-") or _CONTROL.search(value) or len(value) > 200:
            raise UnsafeSetupInput(
                f"the store {label} must be 1-200 characters on one line and must not start with '-'"
            )
