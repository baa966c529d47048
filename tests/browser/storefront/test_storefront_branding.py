"""One storefront image for every store: the branding a store gets is read at runtime from the
config.js its container renders from the environment, never built in."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from tests.browser.storefront.fixtures import STOREFRONT_DIR
from tests.browser.storefront.server import StorefrontServer
from tests.medusa.store import RealMedusa

HOSTILE_NAME = '</script><img src=x onerror="window.__pwned=1"> Bob\'s \\ "$(id)" Shop ü'


def render_config(out: Path, **env: str) -> None:
    subprocess.run(
        ["sh", str(STOREFRONT_DIR / "docker" / "render-config.sh")],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "STOREFRONT_CONFIG_OUT": str(out), **env},
        check=True,
        timeout=30,
    )


@pytest.mark.browser
@pytest.mark.medusa
def test_a_store_name_from_the_environment_is_shown_as_text_with_its_colour(
    storefront_browser: Browser, storefront_dist: Path, real_medusa: RealMedusa, tmp_path: Path
) -> None:
    config_js = tmp_path / "config.js"
    render_config(config_js, STOREFRONT_NAME=HOSTILE_NAME, STOREFRONT_PRIMARY_COLOR="#0f766e",
                  STOREFRONT_LOGO_URL="javascript:alert(1)")  # fmt: skip
    server = StorefrontServer(storefront_dist, config_js, real_medusa.url).start()
    context = storefront_browser.new_context(base_url=server.url)
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.get_by_test_id("store-name")).to_have_text(HOSTILE_NAME)
        expect(page).to_have_title(HOSTILE_NAME)
        assert page.evaluate("() => window.__pwned") is None
        # A script URL is not a logo: the name is shown instead of an image.
        expect(page.get_by_test_id("store-name").locator("img")).to_have_count(0)
        hero = page.locator("section").first
        assert hero.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(15, 118, 110)"
    finally:
        context.close()
        server.stop()


@pytest.mark.unit
def test_invalid_colours_fall_back_to_the_defaults(tmp_path: Path) -> None:
    config_js = tmp_path / "config.js"
    render_config(config_js, STOREFRONT_PRIMARY_COLOR="red;}body{display:none", STOREFRONT_ACCENT_COLOR="#abc")
    text = config_js.read_text()
    assert '"primaryColor": "#18181b"' in text and '"accentColor": "#abc"' in text
    assert '"name": "Store"' in text
