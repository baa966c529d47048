"""Fixtures for the engine setup unit tests (helpers live in ``enginekit``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from tests.unit.engines.enginekit import SimulatorExecutor


@pytest.fixture
def simulators(tmp_path: Path) -> SimulatorExecutor:
    """Local runs of the fakebin simulators, with their own exec log and state under tmp_path."""
    return SimulatorExecutor(tmp_path)


@pytest.fixture
def no_wait() -> Callable[[float], Awaitable[None]]:
    """A sleep that returns at once, for runs whose backoff timing is not under test."""

    async def sleep(_: float) -> None:
        return None

    return sleep
