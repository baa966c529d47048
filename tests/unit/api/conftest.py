"""Fixtures for the gateway's unit tests (helpers live in api_support.py, importable by name)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from api_support import serve


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with serve() as (_, http):
        yield http
