"""Finding things and changing the cart on the storefront, against the real Medusa's catalog."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.browser.storefront.shopper import add_to_cart, open_product

pytestmark = [pytest.mark.browser, pytest.mark.medusa]


def titles(page: Page) -> list[str]:
    cards = page.get_by_test_id("product-card")
    expect(cards.first).to_be_visible()
    return [card.locator("h3").inner_text() for card in cards.all()]


def test_search_collection_filter_and_sort_narrow_the_catalog(shop_page: Page) -> None:
    page = shop_page
    page.goto("/products")
    expect(page.get_by_test_id("product-card")).to_have_count(4)

    page.get_by_label("Search products").fill("hoodie")
    page.get_by_label("Search products").press("Enter")
    expect(page.get_by_test_id("product-card")).to_have_count(1)
    assert titles(page) == ["Everyday Hoodie"]

    page.get_by_label("Search products").fill("")
    page.get_by_label("Search products").press("Enter")
    page.get_by_label("Collection").select_option(label="Best Sellers")
    expect(page.get_by_test_id("product-card")).to_have_count(2)
    page.get_by_label("Sort").select_option(value="title-desc")  # "Name Z to A"
    expect(page.get_by_test_id("product-card").first).to_contain_text("Wireless Headphones")
    assert titles(page) == ["Wireless Headphones", "Leather Wallet"]

    page.get_by_role("link", name="Collections").click()
    page.get_by_role("link", name="Essentials").click()
    expect(page.get_by_role("heading", level=1, name="Essentials")).to_be_visible()
    expect(page.get_by_test_id("product-card")).to_have_count(2)
    assert titles(page) == ["Classic T-Shirt", "Everyday Hoodie"]


def test_the_cart_drawer_changes_quantities_and_removes_lines(shop_page: Page) -> None:
    page = shop_page
    open_product(page, "Leather Wallet")
    add_to_cart(page, option="Black")
    open_product(page, "Classic T-Shirt")
    add_to_cart(page, option="L", quantity=3)
    drawer = page.get_by_role("dialog", name="Cart")
    expect(drawer.get_by_test_id("cart-line")).to_have_count(2)
    expect(drawer.get_by_test_id("cart-subtotal")).to_have_text("$114.96")  # 3 x 24.99 + 39.99

    drawer.get_by_role("button", name="One less Classic T-Shirt").click()
    expect(drawer.get_by_test_id("cart-subtotal")).to_have_text("$89.97")
    drawer.get_by_role("button", name="One more Leather Wallet").click()
    expect(drawer.get_by_test_id("cart-subtotal")).to_have_text("$129.96")
    drawer.get_by_role("button", name="Remove Classic T-Shirt").click()
    expect(drawer.get_by_test_id("cart-line")).to_have_count(1)
    expect(drawer.get_by_test_id("cart-subtotal")).to_have_text("$79.98")
    expect(page.get_by_test_id("cart-count")).to_have_text("2")

    page.reload()  # the server's cart, not the page's memory
    page.get_by_role("button", name="Cart, 2 items").click()
    expect(page.get_by_role("dialog", name="Cart").get_by_test_id("line-quantity")).to_have_text("2")
