"""Kubernetes clients for the gateway, and the translation of API failures into a small vocabulary.

Boundary: builds `ApiClient`s and runs blocking client calls in worker threads. Two kinds of client:
`admin` acts as the gateway's own ServiceAccount (users, counters, Tenants, admin reads);
`client_for_tenant(t)` acts as `system:serviceaccount:tenant-<t>:storefleet-tenant` through
impersonation, so Kubernetes RBAC and quota enforce tenant isolation even if gateway code is wrong.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ParamSpec, TypeVar

import urllib3
from kubernetes import config as kube_config
from kubernetes.client import ApiClient, Configuration
from kubernetes.client.exceptions import ApiException

from storefleet_api import __version__
from storefleet_operator import naming

P = ParamSpec("P")
T = TypeVar("T")

TENANT_SERVICE_ACCOUNT = "storefleet-tenant"


class StorageError(Exception):
    """A Kubernetes call did not do what was asked; subclasses say why."""


class NotFound(StorageError):
    pass


class Conflict(StorageError):
    """409: the object exists already (on create) or changed underneath us (on update)."""


class PermissionDenied(StorageError):
    """403: the gateway's RBAC (or the impersonated tenant's) does not allow this."""


class Invalid(StorageError):
    """400/422: the API server refused the object; the message is the server's reason."""


class Gone(StorageError):
    """410: a continue token or resourceVersion too old to resume from; list again from the start."""


class Unavailable(StorageError):
    """The API server could not be reached or answered 5xx/429; worth retrying later."""


def tenant_service_account_user(tenant: str) -> str:
    """The username Kubernetes gives the tenant's ServiceAccount, which tenant requests act as.

    `naming.tenant_namespace` validates the name (InvalidNameError, a ValueError), so an odd tenant
    string never reaches a header the API server authorises on.
    """
    return f"system:serviceaccount:{naming.tenant_namespace(tenant)}:{TENANT_SERVICE_ACCOUNT}"


def _server_message(error: ApiException) -> str:
    try:
        body = json.loads(error.body or "{}")
    except ValueError:
        return str(error.reason or "")
    return str(body.get("message") or error.reason or "") if isinstance(body, dict) else str(error.reason)


def translate(error: ApiException) -> StorageError:
    """The vocabulary error for an API exception (callers decide what each means to a person)."""
    status = error.status or 0
    message = _server_message(error)
    if status == 404:
        return NotFound(message)
    if status == 409:
        return Conflict(message)
    if status in (401, 403):
        return PermissionDenied(message)
    if status in (400, 422):
        return Invalid(message)
    if status == 410:
        return Gone(message)
    return Unavailable(f"Kubernetes answered {status}: {message}")


CALL_WORKERS = 32
"""Kubernetes calls in flight at once per process. Each blocks a thread for one round trip, and the
loop's default pool (CPU count + 4 threads: 6 on a 2-core pod) would queue requests behind a few
slow calls; threads are started only as load needs them. The connection pool matches it."""

_workers = ThreadPoolExecutor(max_workers=CALL_WORKERS, thread_name_prefix="kubernetes-call")


async def call(function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a blocking client call in a worker thread, raising the vocabulary errors above.

    The caller's context (the request id the logs carry) goes along, as with `asyncio.to_thread`.
    """
    run = functools.partial(contextvars.copy_context().run, function, *args, **kwargs)
    try:
        return await asyncio.get_running_loop().run_in_executor(_workers, run)
    except ApiException as error:
        raise translate(error) from error
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise Unavailable(f"the Kubernetes API cannot be reached: {error.__class__.__name__}") from error


def load_configuration(kubeconfig: Path | None) -> Configuration:
    """Client configuration from a kubeconfig file, the pod's ServiceAccount, or the default lookup."""
    configuration = Configuration()
    if kubeconfig is None and os.environ.get("KUBERNETES_SERVICE_HOST"):
        kube_config.load_incluster_config(client_configuration=configuration)
    else:
        kube_config.load_kube_config(
            config_file=str(kubeconfig) if kubeconfig else None,
            client_configuration=configuration,
            persist_config=False,
        )
    # One quick retry on a dropped connection; the gateway answers 503 rather than waiting longer.
    configuration.retries = 1
    return configuration


class _SharedTransportApiClient(ApiClient):
    """An ApiClient with its own default headers that reuses another client's connection pool.

    Per-tenant clients are cheap this way (no pool per tenant), and closing one cannot break the
    others: the shared pool is closed once, with the admin client.
    """

    def __init__(self, base: ApiClient, headers: dict[str, str]) -> None:
        super().__init__(base.configuration)
        self.rest_client.close()  # the pool the base constructor made, never used
        self.rest_client = base.rest_client
        self.user_agent = base.user_agent
        self.default_headers.update(headers)

    def close(self) -> None:
        """Nothing to close: the transport belongs to the admin client."""


class KubernetesClients:
    """The gateway's clients: its own identity, and one impersonating each tenant's ServiceAccount."""

    def __init__(self, configuration: Configuration, *, timeout_seconds: float) -> None:
        # One pooled connection per call worker, so no call waits for (or discards) a connection.
        configuration.connection_pool_maxsize = max(configuration.connection_pool_maxsize, CALL_WORKERS)
        self.admin = ApiClient(configuration)
        self.admin.user_agent = f"storefleet-gateway/{__version__}"
        self.timeout_seconds = timeout_seconds
        self._tenant_clients: dict[str, ApiClient] = {}

    @classmethod
    def from_kubeconfig(cls, kubeconfig: Path | None, *, timeout_seconds: float) -> KubernetesClients:
        return cls(load_configuration(kubeconfig), timeout_seconds=timeout_seconds)

    def client_for_tenant(self, tenant: str) -> ApiClient:
        """A client whose every request acts as the tenant's `storefleet-tenant` ServiceAccount.

        Made once per tenant and kept: building an ApiClient builds (and drops) a TLS context, a
        cost every tenant request used to pay. The header is fixed at creation, so sharing is safe.
        """
        client = self._tenant_clients.get(tenant)
        if client is None:
            headers = {"Impersonate-User": tenant_service_account_user(tenant)}
            client = self._tenant_clients[tenant] = _SharedTransportApiClient(self.admin, headers)
        return client

    @property
    def request_timeout(self) -> tuple[float, float]:
        """(connect, read) timeouts for every call: connecting should be quick, reading is bounded."""
        return (min(3.0, self.timeout_seconds), self.timeout_seconds)

    def close(self) -> None:
        self.admin.close()
