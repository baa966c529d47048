"""What a shopper does on the storefront, as small steps the tests compose."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

CART_KEY = "storefleet.cart_id"
ADDRESS = {
    "Email": "ada@example.test",
    "First name": "Ada",
    "Last name": "Lovelace",
    "Address": "12 Analytical Row",
    "City": "Portland",
    "State / province": "OR",
    "Postal code": "97201",
}


def open_product(page: Page, title: str) -> None:
    page.goto("/products")
    page.get_by_test_id("product-card").filter(has_text=title).click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()


def add_to_cart(page: Page, option: str | None = None, quantity: int = 1) -> None:
    if option is not None:
        page.get_by_role("button", name=option, exact=True).click()
    page.get_by_label("Quantity").fill(str(quantity))
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("dialog", name="Cart")).to_be_visible()


def cart_id(page: Page) -> str | None:
    value = page.evaluate(f"() => window.localStorage.getItem({CART_KEY!r})")
    return value if isinstance(value, str) else None


def fill_address(page: Page) -> None:
    form = page.get_by_role("form", name="Contact and shipping address")
    for label, value in ADDRESS.items():
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_role("button", name="Continue to shipping").click()
    expect(page.get_by_role("radiogroup", name="Shipping option")).to_be_visible()


def choose_shipping(page: Page, name: str) -> None:
    page.get_by_role("radio", name=re.compile(name)).check()
    page.get_by_role("button", name="Continue to review").click()
    expect(page.get_by_role("button", name="Place order")).to_be_visible()


def place_order(page: Page) -> int:
    page.get_by_role("button", name="Place order").click()
    display = page.get_by_test_id("order-display-id")
    # Completing a cart is Medusa's slowest call (payment, inventory, order); on a real node on a busy
    # machine it outlasts expect's 5 s default.
    expect(display).to_be_visible(timeout=30_000)
    return int(display.inner_text().lstrip("#"))
