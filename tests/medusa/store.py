"""Bring a real Medusa store up the way a storefleet store comes up, and talk to its APIs.

``bring_up`` follows the chart and the operator step by step: the init containers' ``storefleet-medusa
migrate`` and ``seed-if-empty``, the server (``medusa start``), then the operator's own Medusa recipe
(``medusa_recipe``) through the operator's own runner (``run_recipe``) with a local executor.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tests.medusa.executor import LocalExecutor
from tests.medusa.medusa import MedusaServer, run_cli

from storefleet_localcluster.postgres import Postgres
from storefleet_operator.engines.context import AdminCredentials, SetupContext
from storefleet_operator.engines.medusa import medusa_recipe
from storefleet_operator.engines.runner import RetryPolicy, StepProgress, run_recipe
from storefleet_operator.engines.steps import PodRef

POD = PodRef("store-shop", "shop-medusa-0")
HOSTILE_PASSWORD = "p'a\"ss $(touch /tmp/pwned) `id` ; rm -rf / \\n\nzweite Zeile ü ✓ 🛒"
"""Quotes, a command substitution, backquotes, a backslash, a real newline and non-ASCII text."""


def setup_context(email: str, password: str, name: str = 'Shop & Co\'s "Best" $(Store)') -> SetupContext:
    return SetupContext(
        display_name=name, site_url="http://shop.example.test", admin=AdminCredentials("admin", email, password)
    )


async def _no_wait(_: float) -> None:
    return None


def run_operator_recipe(
    executor: LocalExecutor,
    ctx: SetupContext,
    completed: Collection[str] = (),
    attempts: int = 4,
    progress: list[StepProgress] | None = None,
) -> tuple[str, ...]:
    """The operator's Medusa recipe through its runner; the retry delays are skipped, not the retries."""
    reports = [] if progress is None else progress

    def run() -> tuple[str, ...]:
        return asyncio.run(
            run_recipe(
                medusa_recipe(ctx),
                executor,
                completed,
                reports.append,
                pod=POD,
                policy=RetryPolicy(attempts=attempts),
                sleep=_no_wait,
            )
        )

    # A loop of its own in a worker thread: Playwright's sync API keeps an event loop running in the
    # main thread when the browser fixtures start first, and asyncio.run() refuses to nest in it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@dataclass
class RealMedusa:
    """One running store: PostgreSQL, the Medusa server, its admin login and how long each part took."""

    postgres: Postgres
    server: MedusaServer
    env: dict[str, str]
    admin_email: str
    admin_password: str
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def executor(self, fail_when: Callable[[Any], bool] | None = None) -> LocalExecutor:
        ex = LocalExecutor(env=dict(self.env))
        if fail_when is not None:
            ex.fail_when = fail_when
        return ex

    def login(self, email: str | None = None, password: str | None = None) -> httpx.Response:
        return httpx.post(
            f"{self.url}/admin/auth/token",
            json={"email": email or self.admin_email, "password": password or self.admin_password},
            timeout=30,
        )

    def admin(self) -> httpx.Client:
        response = self.login()
        response.raise_for_status()
        token = response.json()["access_token"]
        return httpx.Client(base_url=self.url, headers={"authorization": f"Bearer {token}"}, timeout=30)

    def store(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    def sql(self, query: str) -> str:
        return self.postgres.sql(query, database="medusa").strip()


def timed(timings: dict[str, float], name: str, fn: Callable[[], Any]) -> Any:
    started = time.monotonic()
    result = fn()
    timings[name] = time.monotonic() - started
    return result


def init_containers(env: dict[str, str]) -> Iterable[str]:
    """The chart's two init containers, in order; raises with the command's output on failure."""
    for sub in ("migrate", "seed-if-empty"):
        code, output = run_cli(env, sub)
        if code != 0:
            raise RuntimeError(f"storefleet-medusa {sub} exited {code}:\n{output[-4000:]}")
        yield output


def remove_tree(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
