"""Session fixture ``real_medusa``: PostgreSQL 15 + Medusa 1.20.11 brought up as a store is.

Registered for the whole test session from ``tests/conftest.py`` so the recipe tests, the storefront
browser tests and the storefront benchmark share one backend (starting it costs about 30 s). Nothing
is skipped: a missing PostgreSQL or npm is an error that says what to install. At the end the server
and PostgreSQL are stopped and their directory removed (``STOREFLEET_KEEP_MEDUSA_DIR=1`` keeps it, to
read ``medusa.log`` and ``postgres.log``).
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.medusa.medusa import MEDUSA_DIR, MedusaServer, medusa_env
from tests.medusa.npm_once import npm_ci_once
from tests.medusa.store import HOSTILE_PASSWORD, RealMedusa, init_containers, remove_tree, run_operator_recipe
from tests.medusa.store import setup_context as make_context

from storefleet_localcluster.postgres import Postgres

ADMIN_EMAIL = "Owner@Shop.example.test"
"""Mixed case on purpose: ensure-admin stores it lower-cased and login must still work."""

TIMINGS: dict[str, float] = {}
"""Seconds taken by each stage of bringing the store up, for the benchmark to print."""


@pytest.fixture(scope="session")
def real_medusa() -> Iterator[RealMedusa]:
    took = npm_ci_once(MEDUSA_DIR)
    if took is not None:
        TIMINGS["npm ci (deploy/images/medusa)"] = took
    root = Path(tempfile.mkdtemp(prefix="storefleet-medusa-"))
    root.chmod(0o711)  # PostgreSQL runs as `postgres` under root and must reach its directory inside
    postgres: Postgres | None = None
    server: MedusaServer | None = None
    try:
        postgres = Postgres.start(root / "pg", superuser_password=secrets.token_hex(16))
        url = postgres.create_owned_database("medusa", "medusa", secrets.token_hex(16))
        env = medusa_env(url, port=0)
        stages = iter(init_containers(env))
        for name in ("migrate", "seed-if-empty"):
            started = time.monotonic()
            next(stages)
            TIMINGS[f"storefleet-medusa {name}"] = time.monotonic() - started
        server = MedusaServer(env=env, log_path=root / "medusa.log")
        TIMINGS["medusa start until /health"] = server.start()
        store = RealMedusa(postgres, server, server.env, ADMIN_EMAIL.lower(), HOSTILE_PASSWORD, TIMINGS)
        started = time.monotonic()
        run_operator_recipe(store.executor(), make_context(ADMIN_EMAIL, HOSTILE_PASSWORD))
        TIMINGS["operator recipe (first run)"] = time.monotonic() - started
        yield store
    finally:
        if server is not None:
            server.stop()
        if postgres is not None:
            postgres.stop()
        if not os.environ.get("STOREFLEET_KEEP_MEDUSA_DIR"):
            remove_tree(root)
