"""Per-test browser state for the storefront tests: a fresh browser context (empty localStorage, so a
new shopper) and a page on the storefront, closed afterwards. The session fixtures (real Medusa, the
built SPA, its server, Chromium) live in ``fixtures.py``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page
from tests.browser.storefront.fixtures import Storefront


@pytest.fixture
def shop_page(storefront: Storefront, storefront_browser: Browser) -> Iterator[Page]:
    context = storefront_browser.new_context(base_url=storefront.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
