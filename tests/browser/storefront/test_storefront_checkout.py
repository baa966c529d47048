"""A shopper buys from a real Medusa 1.20.11 store through the storefront, in Chromium.

Every request the page makes goes to the storefront's own origin; ``/store`` is proxied to the real
Medusa the session fixture brought up. What these tests check is what a shopper or the store owner
would see: the page, the cart that survives a reload, and the order in Medusa's admin API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Route, expect
from tests.browser.storefront.fixtures import BRANDING, Storefront
from tests.browser.storefront.shopper import (
    ADDRESS,
    add_to_cart,
    cart_id,
    choose_shipping,
    fill_address,
    open_product,
    place_order,
)

pytestmark = [pytest.mark.browser, pytest.mark.medusa]


def test_a_shopper_buys_two_shirts_and_the_order_is_in_medusa(shop_page: Page, storefront: Storefront) -> None:
    page = shop_page
    page.goto("/")
    expect(page.get_by_test_id("store-name")).to_have_text(BRANDING["STOREFRONT_NAME"])
    expect(page.get_by_role("heading", name="Featured products")).to_be_visible()
    open_product(page, "Classic T-Shirt")
    expect(page.get_by_test_id("product-price")).to_have_text("$24.99")
    add_to_cart(page, option="M", quantity=2)
    drawer = page.get_by_role("dialog", name="Cart")
    expect(drawer.get_by_test_id("line-quantity")).to_have_text("2")
    expect(drawer.get_by_test_id("cart-subtotal")).to_have_text("$49.98")
    drawer.get_by_role("link", name="Go to checkout").click()

    # Only the cart region's countries are offered.
    expect(page.get_by_label("Country")).to_have_text("United States")
    fill_address(page)
    choose_shipping(page, "Express")
    expect(page.get_by_test_id("total")).to_have_text("$64.98")
    display_id = place_order(page)

    expect(page).to_have_url(re.compile(r"/order/order_"))
    expect(page.get_by_test_id("total")).to_have_text("$64.98")
    expect(page.get_by_test_id("order-address")).to_contain_text(ADDRESS["Address"])
    expect(page.get_by_test_id("order-payment")).to_contain_text("Manual payment")
    expect(page.get_by_test_id("cart-count")).to_have_text("0")
    assert cart_id(page) is None

    order_id = page.url.rsplit("/", 1)[1]
    with storefront.medusa.admin() as admin:
        order = admin.get(f"/admin/orders/{order_id}").json()["order"]
    assert order["display_id"] == display_id
    assert order["email"] == ADDRESS["Email"]
    assert [(i["title"], i["variant"]["title"], i["quantity"]) for i in order["items"]] == [("Classic T-Shirt", "M", 2)]
    assert (order["subtotal"], order["shipping_total"], order["total"]) == (4998, 1500, 6498)
    assert order["payments"][0]["provider_id"] == "manual"


def test_a_reload_in_the_middle_of_checkout_keeps_the_cart(shop_page: Page) -> None:
    page = shop_page
    open_product(page, "Everyday Hoodie")
    add_to_cart(page, option="L")
    before = cart_id(page)
    page.goto("/checkout")
    fill_address(page)

    page.reload()
    assert cart_id(page) == before
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    # The address is remembered by the cart, so the shopper is back at the shipping step.
    expect(page.get_by_role("radiogroup", name="Shipping option")).to_be_visible()
    expect(page.get_by_role("region", name="1. Contact and address")).to_contain_text(ADDRESS["Address"])
    choose_shipping(page, "Standard")
    place_order(page)


def test_a_completed_cart_left_in_local_storage_starts_a_fresh_cart(shop_page: Page, storefront: Storefront) -> None:
    page = shop_page
    open_product(page, "Wireless Headphones")
    add_to_cart(page)
    page.goto("/checkout")
    fill_address(page)
    choose_shipping(page, "Standard")
    old = cart_id(page)
    assert old is not None
    with storefront.medusa.store() as store:  # the order is placed elsewhere (another tab)
        assert store.post(f"/store/carts/{old}/payment-sessions").status_code == 200
        assert store.post(f"/store/carts/{old}/complete").json()["type"] == "order"

    page.reload()
    expect(page.get_by_text("Your cart is empty.")).to_be_visible()
    expect(page.get_by_test_id("cart-count")).to_have_text("0")
    open_product(page, "Leather Wallet")
    add_to_cart(page, option="Brown")
    expect(page.get_by_role("dialog", name="Cart").get_by_test_id("cart-line")).to_have_count(1)
    fresh = cart_id(page)
    assert fresh is not None and fresh != old


@pytest.fixture
def black_wallet_sold_out(storefront: Storefront) -> Iterator[None]:
    with storefront.medusa.admin() as admin:
        product = admin.get("/admin/products/prod_leather_wallet").json()["product"]
        (variant,) = [v for v in product["variants"] if v["title"] == "Black"]
        before = variant["inventory_quantity"]
        url = f"/admin/products/{product['id']}/variants/{variant['id']}"
        assert admin.post(url, json={"inventory_quantity": 0}).status_code == 200
        try:
            yield
        finally:
            admin.post(url, json={"inventory_quantity": before}).raise_for_status()


@pytest.mark.usefixtures("black_wallet_sold_out")
def test_a_variant_without_stock_cannot_be_added(shop_page: Page) -> None:
    page = shop_page
    open_product(page, "Leather Wallet")
    page.get_by_role("button", name="Black", exact=True).click()
    expect(page.get_by_role("button", name="Out of stock")).to_be_disabled()
    expect(page.get_by_test_id("stock-note")).to_have_text("Out of stock")
    page.get_by_role("button", name="Brown", exact=True).click()
    expect(page.get_by_role("button", name="Add to cart")).to_be_enabled()


def test_a_backend_error_is_shown_and_retrying_recovers(shop_page: Page) -> None:
    page = shop_page
    failing = {"on": True, "answered": 0}

    def products(route: Route) -> None:
        if failing["on"]:
            failing["answered"] += 1
            route.fulfill(status=503, content_type="application/json", body='{"type":"unknown_error"}')
        else:
            route.continue_()

    page.route(re.compile(r"/store/products\?"), products)
    page.goto("/products")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Products could not be loaded")
    expect(alert).to_contain_text("try again")
    assert failing["answered"] >= 1
    failing["on"] = False
    alert.get_by_role("button", name="Try again").click()
    expect(page.get_by_test_id("product-card")).to_have_count(4)
