"""Storefront budgets against the real Medusa, printed (not asserted): JS gzip size, navigation to
products rendered, and "Place order" to the confirmation, in Chromium; plus how long bringing the
real backend up took (npm ci, migrations, seed, server start, the operator's recipe, the build).

Run with ``make perf`` (or ``pytest -m perf -s tests/perf/test_storefront_benchmark.py``).
"""

from __future__ import annotations

import gzip
import statistics
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from tests.browser.storefront.fixtures import Storefront
from tests.browser.storefront.shopper import add_to_cart, choose_shipping, fill_address, open_product
from tests.medusa.fixtures import TIMINGS

pytestmark = [pytest.mark.perf, pytest.mark.browser, pytest.mark.medusa]

RUNS = 5


def gzip_size(files: list[Path]) -> int:
    return sum(len(gzip.compress(f.read_bytes(), compresslevel=9)) for f in files)


def summary(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return f"median {statistics.median(ms):.0f} ms, min {ms[0]:.0f} ms, max {ms[-1]:.0f} ms over {len(ms)} runs"


def test_storefront_budgets(storefront: Storefront, storefront_browser: Browser) -> None:
    assets = storefront.dist / "assets"
    js, css = sorted(assets.glob("*.js")), sorted(assets.glob("*.css"))
    products: list[float] = []
    orders: list[float] = []
    for _ in range(RUNS):
        # A new context each time: empty cache and storage, a first visit.
        context = storefront_browser.new_context(base_url=storefront.url)
        page = context.new_page()
        started = time.perf_counter()
        page.goto("/products")
        expect(page.get_by_test_id("product-card")).to_have_count(4)
        products.append(time.perf_counter() - started)

        open_product(page, "Classic T-Shirt")
        add_to_cart(page, option="S")
        page.goto("/checkout")
        fill_address(page)
        choose_shipping(page, "Standard")
        started = time.perf_counter()
        page.get_by_role("button", name="Place order").click()
        expect(page.get_by_test_id("order-display-id")).to_be_visible()
        orders.append(time.perf_counter() - started)
        context.close()

    lines = [
        "storefront budgets (Chromium against the real Medusa 1.20.11, loopback, 2 shared cores)",
        f"  JS gzip             {gzip_size(js) / 1024:.1f} KiB in {len(js)} file(s)",
        f"  CSS gzip            {gzip_size(css) / 1024:.1f} KiB",
        f"  /products rendered  {summary(products)}",
        f"  place order -> confirmation  {summary(orders)}",
        "bringing the backend up (this session; npm ci only when node_modules did not match the lockfile)",
        *(f"  {name:<34} {seconds:6.1f} s" for name, seconds in TIMINGS.items()),
    ]
    print("\n" + "\n".join(lines))
