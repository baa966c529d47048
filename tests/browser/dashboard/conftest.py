"""Fixtures for the dashboard's browser tests: the real gateway (its own process, its own
ServiceAccount) serving the production build, the real operator, on the session's local control
plane, and Debian's Chromium driven by Playwright. Never skipped: a missing piece is an error.

Only this folder's tests use these; other browser tests (tests/browser/...) do not start a cluster.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Playwright, sync_playwright
from tests.browser.dashboard.dashboard_support import (
    AXE,
    BUILD,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    FRONTEND,
    Account,
    login,
    promote_to_admin,
    register,
)
from tests.cluster.operator_support import OperatorProcess

from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.platform import GatewayProcess

# Every page in these tests comes from 127.0.0.1, so the per-address sign-up and login limits
# (5 and 10 per window) would be reached by the tests themselves, not by anything they check.
# The lockout (5 wrong passwords for one account) is per account and keeps its default.
GATEWAY_ENV = {
    "STOREFLEET_REGISTER_RATE_LIMIT": "1000",
    "STOREFLEET_LOGIN_RATE_LIMIT": "1000",
    "STOREFLEET_STORE_CREATE_COOLDOWN_SECONDS": "0",
}


@pytest.fixture(scope="session")
def dashboard_build() -> None:
    """The production build the gateway serves; built now when missing (make test builds it first)."""
    if not (BUILD / "index.html").is_file():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True)
        subprocess.run(["npx", "--no-install", "vite", "build", "--logLevel", "warn"], cwd=FRONTEND, check=True)
    assert AXE.is_file(), f"{AXE} is missing: run make frontend-deps"


@pytest.fixture(scope="session")
def dashboard_gateway(
    installed_platform: LocalCluster, operator: OperatorProcess, dashboard_build: None
) -> Iterator[GatewayProcess]:
    gateway = GatewayProcess(installed_platform, env={**GATEWAY_ENV, "STOREFLEET_DASHBOARD_DIR": str(BUILD)})
    gateway.start()
    try:
        yield gateway
    finally:
        gateway.stop()


@pytest.fixture(scope="session")
def base_url(dashboard_gateway: GatewayProcess) -> str:
    return dashboard_gateway.url


@pytest.fixture(scope="session")
def admin(base_url: str, installed_platform: LocalCluster) -> Account:
    account = register(base_url, "admin")
    if account.user["role"] != "admin":
        promote_to_admin(installed_platform, account)
        account = login(base_url, account.email, account.password)
    assert account.user["role"] == "admin"
    return account


# Module scope, not session: Playwright's sync API runs an event loop of its own while it is started,
# and one left running for the whole session breaks every later asyncio test (and the storefront's
# own Playwright) with "Cannot run the event loop while another loop is running".
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Debian's chromium is missing: run make system-deps"
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    ctx.add_init_script(path=str(AXE))
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def dialogs(context: BrowserContext) -> list[str]:
    """Every alert/confirm/prompt any page of the test opened (each dismissed at once)."""
    opened: list[str] = []

    def record(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    context.on("dialog", record)
    return opened


@pytest.fixture
def page(context: BrowserContext, dialogs: list[str]) -> Page:
    return context.new_page()
