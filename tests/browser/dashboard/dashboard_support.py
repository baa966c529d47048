"""Helpers for the dashboard's browser tests: accounts made through the real gateway, pages driven in
Debian's Chromium, axe-core checks and screenshots.

Nothing here talks to Kubernetes except `promote_to_admin` and `expired_token`, which act as the
cluster admin would (edit a user's Secret, read the signing key) to set up what a test needs.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from storefleet_api.services.identity import user_id_for
from storefleet_api.services.tokens import TokenSigner
from storefleet_api.storage.signing_keys import SIGNING_KEY_FIELD, SIGNING_KEY_SECRET
from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.platform import PLATFORM_NAMESPACE
from storefleet_localcluster.toolchain import REPO_ROOT
from storefleet_operator import naming
from storefleet_operator.tenant.resources import QUOTA_NAME, STORE_COUNT_RESOURCE

FRONTEND = REPO_ROOT / "frontend"
BUILD = FRONTEND / "dist"
AXE = FRONTEND / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO_ROOT / "artifacts" / "dashboard"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 812}
READY_TIMEOUT_MS = 120_000


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    token: str
    user: dict[str, Any]

    @property
    def tenant(self) -> str:
        return str(self.user["tenant"])


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"


def register(base_url: str, prefix: str, password: str = PASSWORD) -> Account:
    email = unique_email(prefix)
    response = httpx.post(f"{base_url}/api/v1/auth/register", json={"email": email, "password": password}, timeout=30)
    response.raise_for_status()
    body = response.json()
    return Account(email, password, body["access_token"], body["user"])


def login(base_url: str, email: str, password: str) -> Account:
    response = httpx.post(f"{base_url}/api/v1/auth/login", json={"email": email, "password": password}, timeout=30)
    response.raise_for_status()
    body = response.json()
    return Account(email, password, body["access_token"], body["user"])


def promote_to_admin(cluster: LocalCluster, account: Account) -> None:
    """The first account is the admin; when another test of the session registered first, make this
    one admin the way a cluster admin would: in the user's Secret."""
    patch = json.dumps({"data": {"role": base64.b64encode(b"admin").decode()}})
    cluster.kubectl(
        "patch", "secret", user_id_for(account.email), "-n", PLATFORM_NAMESPACE, "--type=merge", "-p", patch
    )


def expired_token(cluster: LocalCluster, account: Account) -> str:
    """A token for `account`, signed with the gateway's real key, that expired an hour ago."""
    secret = json.loads(
        cluster.kubectl("get", "secret", SIGNING_KEY_SECRET, "-n", PLATFORM_NAMESPACE, "-o", "json").stdout
    )
    key = base64.b64decode(secret["data"][SIGNING_KEY_FIELD])
    signer = TokenSigner(key, issuer="storefleet", audience="storefleet-api", ttl_seconds=60)
    return signer.issue(
        subject=account.user["id"], role=account.user["role"], tenant=account.tenant, now=time.time() - 3600
    )


def create_store(base_url: str, account: Account, body: dict[str, Any], timeout: float = 120) -> dict[str, Any]:
    """POST /stores as `account`, waiting out a new tenant's 503 (its quota not counted yet)."""
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {account.token}"}
    while True:
        response = httpx.post(f"{base_url}/api/v1/stores", json=body, headers=headers, timeout=30)
        if response.status_code != 503 or time.monotonic() > deadline:
            response.raise_for_status()
            result: dict[str, Any] = response.json()
            return result
        time.sleep(float(response.headers.get("Retry-After", "1")))


def wait_ready(base_url: str, account: Account, store_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {account.token}"}
    while time.monotonic() < deadline:
        store: dict[str, Any] = httpx.get(f"{base_url}/api/v1/stores/{store_id}", headers=headers, timeout=30).json()
        if store.get("phase") == "Ready":
            return store
        time.sleep(0.5)
    raise AssertionError(f"store {store_id} not Ready after {timeout}s: {store}")


def log_in_through_the_page(page: Page, base_url: str, account: Account) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Log in")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it is now (axe is injected into every
    page by the browser context's init script, which the page's CSP does not apply to)."""
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
          const result = await window.axe.run(document, { resultTypes: ["violations"] });
          return result.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
        }"""
    )
    return found


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: nothing to scroll sideways)."""
    overflow: int = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    return overflow


def check_page(page: Page, name: str) -> list[str]:
    """Screenshot `name` at desktop and 375 px, and list every accessibility or layout problem."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for label, viewport in (("desktop", DESKTOP), ("375px", PHONE)):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(150)  # one layout pass at the new width
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
        for v in axe_violations(page):
            problems.append(f"{name} ({label}): axe {v['impact']} {v['id']}: {v['help']} at {v['nodes']}")
        if label == "375px" and (overflow := horizontal_overflow(page)) > 1:
            problems.append(f"{name} (375px): the page scrolls sideways by {overflow}px")
    page.set_viewport_size(DESKTOP)
    return problems


def until_tenant_can_create(cluster: LocalCluster, account: Account, timeout: float = 120) -> None:
    """Until the operator has made the tenant's namespace and Kubernetes has counted its store quota
    (before that a create answers 503)."""
    cluster.kubectl("wait", f"tenant/{account.tenant}", "--for=condition=Ready", f"--timeout={int(timeout)}s")
    deadline = time.monotonic() + timeout
    namespace = naming.tenant_namespace(account.tenant)
    while time.monotonic() < deadline:
        found = cluster.kubectl("get", "resourcequota", QUOTA_NAME, "-n", namespace, "-o", "json", check=False)
        if found.returncode == 0 and STORE_COUNT_RESOURCE in (
            json.loads(found.stdout).get("status", {}).get("used") or {}
        ):
            return
        time.sleep(0.5)
    raise AssertionError(f"the store quota of tenant {account.tenant} was never counted")
