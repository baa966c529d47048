"""The gateway serving the dashboard build: long-lived hashed assets, a revalidated index.html, the
single-page-app fallback for client routes, the dashboard CSP, and unknown API paths still JSON 404s;
and what the admin overview and the store text filter compute."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_support import dev_settings, serve

from storefleet_api.routers.dashboard import DashboardBuildMissingError, dashboard_router
from storefleet_api.services.overview import percentile, summarize
from storefleet_api.services.store_rules import matches
from storefleet_operator.models import Store

pytestmark = pytest.mark.unit

INDEX = '<!doctype html><script type="module" src="/assets/index-abc123.js"></script>'


@pytest.fixture
def build(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('dashboard')")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path.parent / "secret.txt").write_text("outside the build")
    return tmp_path


@pytest.fixture
async def dashboard(build: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(dev_settings(dashboard_dir=build)) as (_, http):
        yield http


async def test_hashed_assets_are_cached_for_a_year(dashboard: httpx.AsyncClient) -> None:
    response = await dashboard.get("/assets/index-abc123.js")
    assert response.status_code == 200 and response.text == "console.log('dashboard')"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("path", ["/", "/stores/my-shop", "/admin/audit", "/login?next=%2Fstores"])
async def test_client_routes_get_index_html_revalidated_every_time(dashboard: httpx.AsyncClient, path: str) -> None:
    response = await dashboard.get(path)
    assert response.status_code == 200 and response.text == INDEX
    assert response.headers["Cache-Control"] == "no-cache"
    csp = response.headers["Content-Security-Policy"]
    script_src = next(part.strip() for part in csp.split(";") if part.strip().startswith("script-src"))
    assert script_src == "script-src 'self'"  # no inline scripts, no eval


async def test_unhashed_files_are_revalidated(dashboard: httpx.AsyncClient) -> None:
    response = await dashboard.get("/favicon.svg")
    assert response.text == "<svg/>" and response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/", "/metrics/x"])
async def test_unknown_api_paths_stay_json_404s(dashboard: httpx.AsyncClient, path: str) -> None:
    response = await dashboard.get(path)
    assert response.status_code == 404 and "detail" in response.json()
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt"])
async def test_files_outside_the_build_are_never_served(dashboard: httpx.AsyncClient, path: str) -> None:
    response = await dashboard.get(path)
    assert "outside the build" not in response.text


async def test_api_routes_still_win(dashboard: httpx.AsyncClient) -> None:
    assert (await dashboard.get("/api/v1/health/live")).json() == {"status": "ok", "detail": ""}


async def test_without_a_build_only_the_api_answers(client: httpx.AsyncClient) -> None:
    assert (await client.get("/")).status_code == 404


def test_a_directory_without_a_build_is_refused_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DashboardBuildMissingError, match="make frontend-build"):
        dashboard_router(tmp_path)


T0 = datetime(2026, 1, 1, tzinfo=UTC)


def store(
    name: str,
    phase: str,
    *,
    ready_after: float | None = None,
    namespace: str = "tenant-a",
    reason: str = "Provisioned",
    failed_at: datetime | None = None,
    **spec: Any,
) -> Store:
    history = (
        [{"time": (T0 + timedelta(seconds=ready_after)).isoformat(), "phase": "Ready", "reason": "R", "message": ""}]
        if ready_after is not None
        else []
    )
    conditions = [
        {
            "type": "Ready",
            "status": "False" if phase == "Failed" else "True",
            "reason": reason,
            "message": f"{name} says {reason}",
            "lastTransitionTime": (failed_at or T0).isoformat(),
        }
    ]
    return Store.from_body(
        {
            "apiVersion": "storefleet.io/v1alpha1",
            "kind": "Store",
            "metadata": {"name": name, "namespace": namespace, "creationTimestamp": T0.isoformat()},
            "spec": {"engine": "woocommerce", "displayName": name.title(), **spec},
            "status": {"phase": phase, "history": history, "conditions": conditions},
        }
    )


def test_the_overview_counts_every_phase_and_orders_failures_newest_first() -> None:
    stores = [
        store("one", "Ready", ready_after=10),
        store("two", "Ready", ready_after=20, namespace="tenant-b", engine="medusa"),
        store("old-failure", "Failed", reason="HelmInstallFailed", failed_at=T0),
        store("new-failure", "Failed", reason="RolloutTimeout", failed_at=T0 + timedelta(hours=1)),
    ]
    overview = summarize(stores)
    assert overview.by_phase == {"Requested": 0, "Provisioning": 0, "Ready": 2, "Failed": 2, "Deleting": 0}
    assert overview.by_engine == {"woocommerce": 3, "medusa": 1}
    assert overview.tenants_with_stores == 2
    assert [(f.store, f.reason) for f in overview.recent_failures] == [
        ("new-failure", "RolloutTimeout"),
        ("old-failure", "HelmInstallFailed"),
    ]
    assert (overview.provisioning.samples, overview.provisioning.p50_seconds) == (2, 10.0)


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [([], 0.5, None), ([7.0], 0.95, 7.0), ([float(v) for v in range(1, 101)], 0.95, 95.0), ([3.0, 1.0, 2.0], 0.5, 2.0)],
    ids=["empty", "one", "hundred", "unsorted"],
)
def test_percentiles_are_read_off_the_sorted_list(values: list[float], fraction: float, expected: float | None) -> None:
    assert percentile(values, fraction) == expected


@pytest.mark.parametrize(
    ("text", "kept"),
    [("one", True), ("ONE", True), ("tenant-a", True), ("One", True), ("two", False)],
    ids=["name", "any-case", "tenant", "display-name", "no-match"],
)
def test_the_text_filter_looks_in_name_display_name_and_tenant(text: str, kept: bool) -> None:
    assert matches(store("one", "Ready"), phase=None, engine=None, text=text) is kept
