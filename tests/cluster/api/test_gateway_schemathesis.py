"""Property-based fuzzing of every operation in the gateway's OpenAPI schema (schemathesis): whatever
the generated input, authenticated as a tenant, the gateway never answers 5xx.

The gateway runs behind a real uvicorn (in a thread) as its own ServiceAccount beside the real
operator, which sets the tenant up (and provisions any store a valid example creates, up to the
tenant's limit). Bounded: at most 50 examples per operation, no example database, so the run stays
well under two minutes.

Needs the dev dependency `schemathesis>=4.32`; skipped, saying so, where it is not installed.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

# Hypothesis keeps caches in ./.hypothesis by default; keep the checkout clean.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "storefleet-hypothesis"))
schemathesis = pytest.importorskip("schemathesis", reason="needs the dev dependency schemathesis>=4.32")

from hypothesis import HealthCheck, given, settings  # noqa: E402 - only importable once schemathesis is
from schemathesis.checks import not_a_server_error  # noqa: E402
from store_support import (  # noqa: E402
    Account,
    clean_up,
    free_port,
    gateway_settings,
    own_address,
    tenant_account,
)
from tests.cluster.operator_support import OperatorProcess  # noqa: E402

from storefleet_api.app import create_app  # noqa: E402
from storefleet_api.config import Settings  # noqa: E402

pytestmark = pytest.mark.cluster

EXAMPLES_PER_OPERATION = 50


class ThreadedGateway:
    """The gateway on a loopback port, served by uvicorn in a thread of its own (schemathesis calls
    it synchronously, over real HTTP)."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port, log_config=None, lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, name="gateway-under-fuzz", daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ThreadedGateway:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "the gateway did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@dataclass
class Target:
    base: str
    headers: dict[str, str]


@pytest.fixture(scope="module")
def fuzzed(operator: OperatorProcess) -> Iterator[Target]:
    cluster = operator.cluster
    # Streams of a store that happens to exist end quickly, so no example waits for a store.
    settings = gateway_settings(cluster, store_stream_max_seconds=1, store_stream_heartbeat_seconds=0.5)
    address = {"X-Forwarded-For": own_address()}  # sign-ups it fuzzes count against its own address
    with ThreadedGateway(settings) as gateway:

        async def tenant() -> Account:
            async with httpx.AsyncClient(base_url=gateway.base, timeout=30, headers=address) as http:
                return await tenant_account(http, cluster, "fuzzed")

        account = asyncio.run(tenant())
        yield Target(gateway.base, {**address, **account.headers})
    clean_up(cluster, account)


def operations() -> dict[str, Any]:
    """Every operation of the schema the app generates (no server needed to read it), by label."""
    spec = create_app(Settings(environment="development")).openapi()
    loaded = schemathesis.openapi.from_dict(spec)
    return {operation.ok().label: operation.ok() for operation in loaded.get_all_operations()}


OPERATIONS = operations()


# schemathesis' own pytest integration (schema.parametrize / from_fixture) does not work with
# pytest 9 yet, so each operation is a parametrized test that runs Hypothesis itself.
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_input_makes_the_gateway_answer_5xx(label: str, fuzzed: Target) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=OPERATIONS[label].as_strategy())
    def fuzz(case: Any) -> None:
        case.call_and_validate(base_url=fuzzed.base, headers=fuzzed.headers, checks=[not_a_server_error], timeout=30)

    fuzz()
