"""Helpers for the gateway's unit tests: the real app, served in-process, with no cluster behind it.

The Kubernetes client points at a closed local port, so anything that would need the cluster
answers 503: the tests here stop before that (token checks, validation, limits, headers) or assert
the 503. Flows that need Kubernetes are in tests/cluster/api.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import FastAPI
from kubernetes.client import Configuration

from storefleet_api.app import create_app
from storefleet_api.config import Settings
from storefleet_api.storage.kubernetes import KubernetesClients

SIGNING_KEY = b"unit-test-signing-key-".ljust(64, b"x")
NO_CLUSTER = "http://127.0.0.1:1"  # nothing listens on port 1: every call is refused at once
CLIENT_ADDRESS = ("203.0.113.7", 50000)


def dev_settings(**overrides: Any) -> Settings:
    return Settings(environment="development", **overrides)


@contextlib.asynccontextmanager
async def serve(settings: Settings | None = None) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """Run the app's lifespan and give an httpx client talking to it through ASGI."""
    clients = KubernetesClients(Configuration(host=NO_CLUSTER), timeout_seconds=1)
    app = create_app(settings or dev_settings(), clients=clients, signing_key=SIGNING_KEY)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=CLIENT_ADDRESS)
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
                yield app, client
    finally:
        clients.close()
