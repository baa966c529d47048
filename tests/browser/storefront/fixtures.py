"""Session fixtures for the storefront against the real Medusa: the built SPA, the server a shopper
reaches, and Debian's Chromium. Registered from ``tests/conftest.py`` so the benchmark in
``tests/perf`` shares them with ``tests/browser/storefront``.

The SPA is built into a temporary directory from ``storefront-medusa`` (``npm ci`` once per lockfile),
its ``config.js`` is rendered by the image's own ``docker/render-config.sh``, and everything the
fixtures make is removed at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright
from tests.browser.storefront.server import StorefrontServer
from tests.medusa.fixtures import TIMINGS
from tests.medusa.medusa import REPO_ROOT
from tests.medusa.npm_once import npm_ci_once
from tests.medusa.store import RealMedusa

STOREFRONT_DIR = REPO_ROOT / "storefront-medusa"
CHROMIUM = os.environ.get("STOREFLEET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
BRANDING = {
    "STOREFRONT_NAME": 'Ada\'s "Corner" Shop',
    "STOREFRONT_PRIMARY_COLOR": "#0f766e",
    "STOREFRONT_ACCENT_COLOR": "#f59e0b",
    "STOREFRONT_LOGO_URL": "",
}


@dataclass
class Storefront:
    url: str
    dist: Path
    medusa: RealMedusa


@pytest.fixture(scope="session")
def storefront_dist() -> Iterator[Path]:
    took = npm_ci_once(STOREFRONT_DIR)
    if took is not None:
        TIMINGS["npm ci (storefront-medusa)"] = took
    out = Path(tempfile.mkdtemp(prefix="storefront-dist-"))
    started = time.monotonic()
    result = subprocess.run(
        ["npx", "--no-install", "vite", "build", "--outDir", str(out), "--emptyOutDir", "--logLevel", "warn"],
        cwd=STOREFRONT_DIR, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        shutil.rmtree(out, ignore_errors=True)
        raise RuntimeError(f"vite build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    TIMINGS["vite build (storefront-medusa)"] = time.monotonic() - started
    try:
        yield out
    finally:
        shutil.rmtree(out, ignore_errors=True)


@pytest.fixture(scope="session")
def storefront(storefront_dist: Path, real_medusa: RealMedusa) -> Iterator[Storefront]:
    with tempfile.TemporaryDirectory(prefix="storefront-config-") as tmp:
        config_js = Path(tmp) / "config.js"
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **BRANDING, "STOREFRONT_CONFIG_OUT": str(config_js)}
        subprocess.run(["sh", str(STOREFRONT_DIR / "docker" / "render-config.sh")], env=env, check=True, timeout=30)
        server = StorefrontServer(storefront_dist, config_js, real_medusa.url).start()
        try:
            yield Storefront(server.url, storefront_dist, real_medusa)
        finally:
            server.stop()


@pytest.fixture(scope="module")
def storefront_browser() -> Iterator[Browser]:
    """Chromium for one test module. Not per session: while Playwright's sync API is open it keeps an
    event loop running in the main thread, and every async test after it (pytest-asyncio) would fail
    with "Cannot run the event loop while another loop is running"."""
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            yield browser
        finally:
            browser.close()


def launch(pw: Playwright) -> Browser:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found: install Debian's chromium (deploy/scripts/install-system-deps.sh)")
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
