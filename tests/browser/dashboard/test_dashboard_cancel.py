"""Deleting a store that is still being set up is how a tenant cancels it. The session operator is
paused while the store is created (so it stays Requested for as long as the test needs) and started
again for the deletion: the gateway writes every Store with the operator's finalizer, so only the
operator lets a Store go, after removing whatever it made for it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.browser.dashboard.dashboard_support import (
    Account,
    create_store,
    log_in_through_the_page,
    register,
    until_tenant_can_create,
)
from tests.cluster.operator_support import OperatorProcess

from storefleet_localcluster.cluster import LocalCluster

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ready_tenant(base_url: str, installed_platform: LocalCluster) -> Account:
    account = register(base_url, "cancel")
    until_tenant_can_create(installed_platform, account)
    return account


def test_deleting_a_store_still_being_set_up_cancels_it(
    page: Page, base_url: str, ready_tenant: Account, operator: OperatorProcess, no_operator: None
) -> None:
    create_store(base_url, ready_tenant, {"name": "second-thoughts", "engine": "medusa"})
    log_in_through_the_page(page, base_url, ready_tenant)
    page.goto(f"{base_url}/stores/second-thoughts")
    expect(page.get_by_test_id("phase")).to_have_text("Requested")
    page.get_by_role("button", name="Cancel and delete").click()
    expect(page.get_by_role("dialog")).to_contain_text("Setting up stops")
    page.get_by_role("dialog").get_by_label("Store id").fill("second-thoughts")
    page.get_by_role("button", name="Delete for good").click()
    operator.start()  # the Store waits for its finalizer to be released; nothing was made for it
    expect(page.get_by_text("You have no stores yet.")).to_be_visible(timeout=90_000)
    page.goto(f"{base_url}/stores/second-thoughts")
    expect(page.get_by_text("This store was not found.")).to_be_visible()
