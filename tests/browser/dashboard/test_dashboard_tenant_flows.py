"""A tenant's journeys through the dashboard in a real browser, against the real gateway and operator:
sign up, create a store and watch it provision live, reveal its login, delete it; a Medusa store's
three URLs; hostile display names shown as text; an expired session returning to the same page."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect
from tests.browser.dashboard.dashboard_support import (
    PASSWORD,
    READY_TIMEOUT_MS,
    expired_token,
    log_in_through_the_page,
    register,
    unique_email,
)

from storefleet_localcluster.cluster import LocalCluster

pytestmark = pytest.mark.browser

# Records, from the first page load on, every distinct progress the store page shows: the status
# sentence and each step's state. A full reload would wipe it (and the marker), so finding both
# intact at the end proves the page followed the store live, without reloading.
PROGRESS_RECORDER = """
window.__progress = [];
window.__loadedOnce = "yes";
new MutationObserver(() => {
  const status = document.querySelector('[data-testid="phase-words"]');
  if (!status) return;
  const steps = [...document.querySelectorAll('[data-testid="step"]')].map((s) => s.dataset.state).join(",");
  const seen = status.textContent + " | " + steps;
  if (window.__progress[window.__progress.length - 1] !== seen) window.__progress.push(seen);
}).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
"""


def test_a_new_tenant_creates_a_woocommerce_store_watches_it_provision_and_deletes_it(
    page: Page, base_url: str
) -> None:
    email = unique_email("woo")
    page.goto(f"{base_url}/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("You have no stores yet.")).to_be_visible()

    page.evaluate(PROGRESS_RECORDER)
    page.get_by_role("link", name="New store").first.click()
    page.get_by_role("radio", name="WooCommerce").click()
    page.get_by_role("radio", name="Astra").click()
    page.get_by_label("Display name").fill("Coffee Roasters")
    expect(page.get_by_label("Store id")).to_have_value("coffee-roasters")
    page.get_by_role("button", name="Create store").click()

    expect(page).to_have_url(re.compile(r"/stores/coffee-roasters$"), timeout=60_000)
    expect(page.get_by_test_id("phase-words")).to_have_text(re.compile("^Ready"), timeout=READY_TIMEOUT_MS)
    progress: list[str] = page.evaluate("window.__progress")
    moving = [seen for seen in progress if not seen.startswith("Ready")]
    intermediate = [seen for seen in moving if "Running" in seen or "Succeeded" in seen]
    assert len(intermediate) >= 2, f"the page showed fewer than two steps before Ready: {progress}"
    assert page.evaluate("window.__loadedOnce") == "yes", "the page was reloaded"
    expect(page.get_by_test_id("step").first).to_contain_text("(done)")

    page.get_by_role("button", name="Reveal admin login").click()
    password = page.get_by_test_id("credential-password")
    expect(password).not_to_be_empty()
    secret = password.inner_text()
    stored = page.evaluate("() => JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})")
    assert secret not in stored and secret not in page.url
    page.get_by_role("button", name="Hide admin login").click()
    expect(page.get_by_test_id("credential-password")).to_have_count(0)

    page.get_by_role("button", name="Delete store").click()
    confirm = page.get_by_role("button", name="Delete for good")
    expect(confirm).to_be_disabled()
    page.get_by_role("dialog").get_by_label("Store id").fill("coffee-roasters")
    confirm.click()
    expect(page.get_by_role("heading", name="My stores")).to_be_visible()
    expect(page.get_by_text("You have no stores yet.")).to_be_visible(timeout=READY_TIMEOUT_MS)


def test_a_medusa_store_with_its_storefront_shows_all_three_urls(page: Page, base_url: str) -> None:
    account = register(base_url, "medusa")
    log_in_through_the_page(page, base_url, account)
    page.goto(f"{base_url}/stores/new")
    page.get_by_role("radio", name="Medusa").click()
    expect(page.get_by_role("switch", name="Storefront")).to_be_checked()
    page.get_by_label("Display name").fill("Tea House")
    page.get_by_role("button", name="Create store").click()
    expect(page.get_by_test_id("phase-words")).to_have_text(re.compile("^Ready"), timeout=READY_TIMEOUT_MS)
    for label in ("shop", "admin", "storefront"):
        expect(page.get_by_test_id(f"url-{label}").get_by_role("link")).to_have_attribute(
            "href", re.compile("^https?://")
        )


def test_a_hostile_display_name_is_shown_as_text_and_runs_nothing(
    page: Page, base_url: str, dialogs: list[str]
) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    account = register(base_url, "xss")
    log_in_through_the_page(page, base_url, account)
    page.goto(f"{base_url}/stores/new")
    page.get_by_label("Display name").fill(hostile)
    page.get_by_label("Store id").fill("xss-shop")
    page.get_by_role("button", name="Create store").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(hostile, timeout=60_000)
    page.goto(f"{base_url}/")
    expect(page.get_by_test_id("store-row").get_by_text(hostile)).to_be_visible()
    assert page.locator("img[src='x']").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []


def test_an_expired_session_goes_to_login_and_comes_back_to_the_same_page(
    page: Page, base_url: str, installed_platform: LocalCluster
) -> None:
    account = register(base_url, "expired")
    log_in_through_the_page(page, base_url, account)
    session = json.loads(page.evaluate("sessionStorage.getItem('storefleet.session')"))
    session["token"] = expired_token(installed_platform, account)
    page.evaluate("(s) => sessionStorage.setItem('storefleet.session', s)", json.dumps(session))

    page.goto(f"{base_url}/stores/new?from=bookmark")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert "next=%2Fstores%2Fnew%3Ffrom%3Dbookmark" in page.url
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}/stores/new?from=bookmark")
    expect(page.get_by_role("heading", name="New store")).to_be_visible()
