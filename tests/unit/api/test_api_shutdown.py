"""Graceful shutdown: on SIGTERM the gateway reports not-ready first and stops serving later."""

from __future__ import annotations

import signal
import time

import pytest
import uvicorn
from fastapi import FastAPI

from storefleet_api.__main__ import DrainingServer
from storefleet_api.lifecycle import Lifecycle

pytestmark = pytest.mark.unit


def server(delay: float) -> tuple[DrainingServer, Lifecycle]:
    lifecycle = Lifecycle()
    return DrainingServer(uvicorn.Config(FastAPI()), lifecycle, delay), lifecycle


def test_sigterm_turns_readiness_off_at_once_and_stops_the_server_after_the_delay() -> None:
    draining, lifecycle = server(delay=0.3)
    draining.handle_exit(signal.SIGTERM, None)
    assert lifecycle.shutting_down and not draining.should_exit
    deadline = time.monotonic() + 5
    while not draining.should_exit and time.monotonic() < deadline:
        time.sleep(0.05)
    assert draining.should_exit


def test_a_second_signal_stops_the_server_without_waiting() -> None:
    draining, _ = server(delay=60)
    draining.handle_exit(signal.SIGTERM, None)
    draining.handle_exit(signal.SIGTERM, None)
    assert draining.should_exit


def test_without_a_delay_the_server_stops_at_once() -> None:
    draining, _ = server(delay=0)
    draining.handle_exit(signal.SIGTERM, None)
    assert draining.should_exit
