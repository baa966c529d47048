"""Every dashboard page, at desktop width and at 375 px: zero serious or critical axe-core
violations, nothing scrolling sideways on a phone, and a screenshot of each under artifacts/dashboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.browser.dashboard.dashboard_support import (
    READY_TIMEOUT_MS,
    Account,
    check_page,
    create_store,
    log_in_through_the_page,
    register,
    wait_ready,
)

pytestmark = pytest.mark.browser


def test_every_page_is_accessible_and_fits_a_phone(page: Page, base_url: str, admin: Account) -> None:
    problems: list[str] = []
    page.goto(f"{base_url}/login")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    problems += check_page(page, "login")
    page.goto(f"{base_url}/signup")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    problems += check_page(page, "signup")

    tenant = register(base_url, "pages")
    log_in_through_the_page(page, base_url, tenant)
    expect(page.get_by_text("You have no stores yet.")).to_be_visible()
    problems += check_page(page, "stores-empty")
    page.goto(f"{base_url}/stores/new")
    page.get_by_label("Store id").fill("admin")
    expect(page.get_by_text(re.compile("reserved"))).to_be_visible()
    problems += check_page(page, "store-new")
    page.get_by_role("radio", name="Medusa").click()
    problems += check_page(page, "store-new-medusa")

    create_store(base_url, tenant, {"name": "page-shop", "engine": "woocommerce", "display_name": "Page Shop"})
    page.goto(f"{base_url}/stores/page-shop")
    problems += check_page(page, "store-detail-provisioning")
    wait_ready(base_url, tenant, "page-shop")
    expect(page.get_by_test_id("phase-words")).to_have_text(re.compile("^Ready"), timeout=READY_TIMEOUT_MS)
    problems += check_page(page, "store-detail-ready")
    page.get_by_role("button", name="Reveal admin login").click()
    expect(page.get_by_test_id("credential-password")).not_to_be_empty()
    problems += check_page(page, "store-detail-credentials")
    page.get_by_role("button", name="Delete store").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    problems += check_page(page, "store-delete-dialog")
    page.keyboard.press("Escape")
    page.goto(f"{base_url}/")
    expect(page.get_by_test_id("store-row")).to_have_count(1)
    problems += check_page(page, "stores")
    page.goto(f"{base_url}/stores/no-such-store")
    expect(page.get_by_text("This store was not found.")).to_be_visible()
    problems += check_page(page, "store-not-found")

    log_in_through_the_page(page, base_url, admin)
    for path, name, ready in (
        ("/admin", "admin-overview", "Recent failures"),
        ("/admin/stores", "admin-stores", "All stores"),
        ("/admin/tenants", "admin-tenants", "Tenants"),
        ("/admin/audit", "admin-audit", "Audit log"),
    ):
        page.goto(f"{base_url}{path}")
        expect(page.get_by_role("heading", name=ready)).to_be_visible()
        expect(page.get_by_text(re.compile("^Loading"))).to_have_count(0)
        problems += check_page(page, name)
    assert not problems, "\n".join(problems)


def test_every_control_on_the_create_form_is_reachable_by_keyboard_with_a_visible_focus(
    page: Page, base_url: str
) -> None:
    tenant = register(base_url, "keys")
    log_in_through_the_page(page, base_url, tenant)
    page.goto(f"{base_url}/stores/new")
    expect(page.get_by_role("heading", name="New store")).to_be_visible()
    reached: list[str] = []
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body) return null;
              const style = getComputedStyle(el);
              const outline = style.outlineStyle !== "none" && style.outlineWidth !== "0px";
              const ring = style.boxShadow !== "none" || outline;
              const name = el.getAttribute("aria-label") || (el.labels && el.labels[0] && el.labels[0].textContent)
                || el.textContent;
              return { name: (name || "").trim(), ring };
            }"""
        )
        if focused is None:  # past the last control: focus left the page
            break
        assert focused["ring"], f"no visible focus on {focused['name']!r}"
        assert focused["name"], "a focusable control without a name"
        reached.append(focused["name"])
    for control in ("WooCommerce", "Storefront", "Display name", "Store id", "Create store", "Log out"):
        assert any(name.startswith(control) for name in reached), f"{control} not reachable by Tab: {reached}"
