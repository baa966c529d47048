"""What one tenant may not see of another, and what an admin sees of everyone, in a real browser
against the real gateway and operator: a second tenant sees none of the first's stores (not even by
URL), an admin sees both tenants' stores, and a lockout after five wrong passwords is in the audit log."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Page, expect
from tests.browser.dashboard.dashboard_support import (
    Account,
    create_store,
    log_in_through_the_page,
    register,
    wait_ready,
)

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class TwoTenants:
    first: Account
    second: Account
    first_store: str
    second_store: str


@pytest.fixture(scope="module")
def two_tenants(base_url: str) -> Iterator[TwoTenants]:
    """Two tenants with one Ready store each, made through the API; deleted afterwards."""
    first, second = register(base_url, "first"), register(base_url, "second")
    create_store(base_url, first, {"name": "first-shop", "engine": "woocommerce", "display_name": "First Shop"})
    create_store(base_url, second, {"name": "second-shop", "engine": "medusa", "display_name": "Second Shop"})
    wait_ready(base_url, first, "first-shop")
    wait_ready(base_url, second, "second-shop")
    yield TwoTenants(first, second, "first-shop", "second-shop")
    for account, store in ((first, "first-shop"), (second, "second-shop")):
        httpx.delete(
            f"{base_url}/api/v1/stores/{store}", headers={"Authorization": f"Bearer {account.token}"}, timeout=30
        )


def test_a_second_tenant_sees_none_of_the_first_tenants_stores(
    page: Page, base_url: str, two_tenants: TwoTenants
) -> None:
    log_in_through_the_page(page, base_url, two_tenants.second)
    expect(page.get_by_test_id("store-row")).to_have_count(1)
    expect(page.get_by_test_id("store-row")).to_contain_text("Second Shop")
    expect(page.get_by_text("First Shop")).to_have_count(0)
    page.goto(f"{base_url}/stores/{two_tenants.first_store}")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_text("This store was not found.")).to_be_visible()
    expect(page.get_by_text("First Shop")).to_have_count(0)


def test_an_admin_sees_every_tenants_stores(page: Page, base_url: str, admin: Account, two_tenants: TwoTenants) -> None:
    log_in_through_the_page(page, base_url, admin)
    expect(page).to_have_url(re.compile(r"/admin$"))
    expect(page.get_by_test_id("count-Ready")).not_to_have_text("0")
    page.get_by_role("link", name="All stores").click()
    for tenant, name in ((two_tenants.first.tenant, "First Shop"), (two_tenants.second.tenant, "Second Shop")):
        row = page.get_by_test_id("store-row").filter(has_text=name)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(tenant)
    page.get_by_label("Engine").select_option("medusa")
    expect(page.get_by_test_id("store-row").filter(has_text="First Shop")).to_have_count(0)
    expect(page.get_by_test_id("store-row").filter(has_text="Second Shop")).to_have_count(1)
    page.get_by_label("Engine").select_option("")
    page.get_by_label("Search").fill("first")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("store-row")).to_have_count(1)
    expect(page.get_by_test_id("store-row")).to_contain_text("First Shop")

    page.get_by_role("link", name="Tenants").click()
    row = page.get_by_test_id("tenant-row").filter(has_text=two_tenants.first.tenant)
    expect(row).to_contain_text(re.compile(r"1 / \d+"), timeout=30_000)


def test_an_admin_finds_a_lockout_in_the_audit_log(page: Page, base_url: str, admin: Account) -> None:
    victim = register(base_url, "victim")
    for _ in range(5):
        page.goto(f"{base_url}/login")
        page.get_by_label("Email").fill(victim.email)
        page.get_by_label("Password").fill("not the password at all")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_label("Password").fill(victim.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("lock")

    log_in_through_the_page(page, base_url, admin)
    page.goto(f"{base_url}/admin/audit")
    page.get_by_label("Category").select_option("security")
    page.get_by_label("Event type").fill("AccountLocked")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"type=AccountLocked"))
    locked = page.locator('[data-testid="audit-entry"][data-type="AccountLocked"]').filter(has_text=victim.email)
    expect(locked).to_have_count(1, timeout=30_000)
    expect(locked).to_contain_text("Account locked")
    expect(page.locator('[data-testid="audit-entry"]:not([data-type="AccountLocked"])')).to_have_count(0)
