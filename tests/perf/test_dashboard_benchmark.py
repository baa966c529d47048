"""Dashboard budgets, printed (not asserted): the production JavaScript's gzip size, and in Debian's
Chromium the first contentful paint and the time until a tenant's list of 200 stores is rendered.

What runs: the real gateway process serving frontend/dist; one tenant whose namespace, RBAC and quota
are made as in the gateway benchmark, with 200 Store objects created directly as the cluster admin
(no operator: they stay Requested, which is all a list needs). Each figure is the median of RUNS
fresh page loads in a new browser context (cold cache, so assets are fetched every time).
"""

from __future__ import annotations

import gzip
import json
import statistics
import uuid

import httpx
import pytest
from playwright.sync_api import sync_playwright
from tests.browser.dashboard.dashboard_support import BUILD, CHROMIUM, CHROMIUM_ARGS, DESKTOP, PASSWORD
from tests.perf.test_gateway_benchmark import STORES, prepare_tenant

from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.platform import GatewayProcess
from storefleet_localcluster.toolchain import REPO_ROOT

pytestmark = pytest.mark.perf

RUNS = 5
ROWS = '[data-testid="store-row"]'


def javascript_gzip_bytes() -> tuple[int, int]:
    """Raw and gzip-compressed (level 9) bytes of every JavaScript file in the build."""
    files = list((BUILD / "assets").glob("*.js"))
    assert files, f"no build in {BUILD}: run make frontend-build"
    raw = sum(file.stat().st_size for file in files)
    packed = sum(len(gzip.compress(file.read_bytes(), compresslevel=9)) for file in files)
    return raw, packed


def test_dashboard_budgets(bench_platform: LocalCluster) -> None:
    raw, packed = javascript_gzip_bytes()
    gateway = GatewayProcess(
        bench_platform,
        env={
            "STOREFLEET_DASHBOARD_DIR": str(REPO_ROOT / "frontend" / "dist"),
            "STOREFLEET_REGISTER_RATE_LIMIT": "1000",
            "STOREFLEET_LOGIN_RATE_LIMIT": "1000",
            "STOREFLEET_LOG_LEVEL": "WARNING",
        },
    )
    gateway.start()
    fcp: list[float] = []
    rendered: list[float] = []
    try:
        # The first account on a platform is its admin; the benchmark is a tenant's.
        for prefix in ("admin", "dash-bench"):
            email = f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"
            response = httpx.post(
                f"{gateway.url}/api/v1/auth/register", json={"email": email, "password": PASSWORD}, timeout=60
            )
            assert response.status_code == 201, response.text
        session = response.json()
        assert session["user"]["role"] == "tenant"
        prepare_tenant(bench_platform, session["user"]["tenant"])
        stored = json.dumps({"token": session["access_token"], "user": session["user"], "expiresAt": 4102444800000})
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                for _ in range(RUNS):
                    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
                    context.add_init_script(f"sessionStorage.setItem('storefleet.session', {json.dumps(stored)})")
                    page = context.new_page()
                    page.goto(f"{gateway.url}/")
                    page.locator(ROWS).nth(STORES - 1).wait_for(timeout=60_000)
                    rendered.append(page.evaluate("performance.now()"))
                    fcp.append(
                        page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1")
                    )
                    context.close()
            finally:
                browser.close()
    finally:
        gateway.stop()
    figures = {
        "js_bytes": raw,
        "js_gzip_bytes": packed,
        "first_contentful_paint_ms_p50": round(statistics.median(fcp), 1),
        f"list_of_{STORES}_rendered_ms_p50": round(statistics.median(rendered), 1),
        "runs": RUNS,
    }
    print(json.dumps(figures, indent=2))
