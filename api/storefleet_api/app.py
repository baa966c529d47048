"""The gateway application: `create_app(settings)` builds a FastAPI app whose lifespan builds the
Kubernetes clients and services once and closes them at the end.

Boundary: wiring only — routers, middleware, error handlers, startup and shutdown. Each request
passes (outermost first) request id → security headers → metrics/access log → CORS → 256 KB body
limit → timeout → FastAPI (error handlers, routes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import start_http_server

from storefleet_api import __version__
from storefleet_api.config import Settings
from storefleet_api.errors import install_error_handlers
from storefleet_api.lifecycle import Lifecycle, Services
from storefleet_api.metrics import GatewayMetrics
from storefleet_api.middleware.body_limit import BodyLimitMiddleware
from storefleet_api.middleware.observability import ObservabilityMiddleware
from storefleet_api.middleware.request_id import REQUEST_ID_HEADER, RequestIdMiddleware
from storefleet_api.middleware.security_headers import SecurityHeadersMiddleware
from storefleet_api.middleware.timeout import TimeoutMiddleware
from storefleet_api.routers import API_PREFIX, admin, auth, health, index, stores
from storefleet_api.routers import metrics as metrics_router
from storefleet_api.routers.dashboard import dashboard_router
from storefleet_api.services.accounts import AccountService
from storefleet_api.services.audit import SecurityAudit
from storefleet_api.services.audit_log import AuditLog
from storefleet_api.services.store_stream import StoreStreams
from storefleet_api.services.stores import StoreService
from storefleet_api.services.tokens import TokenSigner, check_signing_key
from storefleet_api.storage.audit_archive import AuditArchive
from storefleet_api.storage.counters import CounterStore
from storefleet_api.storage.events import EventRecorder
from storefleet_api.storage.health import HealthProbe
from storefleet_api.storage.kubernetes import KubernetesClients, StorageError
from storefleet_api.storage.signing_keys import load_or_create_signing_key
from storefleet_api.storage.tenants import TenantStore
from storefleet_api.storage.users import UserStore

logger = logging.getLogger(__name__)

DOCS_PATH = "/api/docs"
_SWEEP_INTERVAL_SECONDS = 600.0  # expired login counters are harmless; tidy them now and then


def create_app(
    settings: Settings | None = None,
    *,
    clients: KubernetesClients | None = None,
    signing_key: bytes | None = None,
) -> FastAPI:
    """Build the gateway. `clients` and `signing_key` are for tests that run without a cluster (or
    share one client between apps); normally both come from the cluster at startup."""
    settings = settings or Settings()
    metrics = GatewayMetrics()
    lifecycle = Lifecycle()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        kube = clients or KubernetesClients.from_kubeconfig(
            settings.kubeconfig, timeout_seconds=settings.kubernetes_timeout_seconds
        )
        sweeper: asyncio.Task[None] | None = None
        metrics_server = None
        built: Services | None = None
        archive = AuditArchive.from_settings(settings, metrics)
        try:
            await archive.start()
            key = signing_key or await load_or_create_signing_key(kube, settings.platform_namespace)
            check_signing_key(key, settings.environment)
            services = _build_services(settings, kube, key, metrics, lifecycle, archive)
            app.state.services = services
            built = services
            services.accounts.users.cache.start()
            services.stores.cache.start()
            if settings.metrics_port is not None:
                metrics_server, _ = start_http_server(
                    settings.metrics_port, addr=settings.host, registry=metrics.registry
                )
            sweeper = asyncio.create_task(_sweep_counters_forever(services.accounts.counters))
            logger.info("gateway %s ready (%s)", __version__, settings.environment)
            yield
        finally:
            lifecycle.begin_shutdown()
            if built is not None:
                built.accounts.users.cache.stop()
                built.stores.cache.stop()
            if sweeper is not None:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
            await archive.stop()
            if metrics_server is not None:
                metrics_server.shutdown()
                metrics_server.server_close()
            if clients is None:
                kube.close()

    app = FastAPI(
        title="storefleet gateway",
        version=__version__,
        description="Sign up, log in and manage e-commerce stores on Kubernetes.",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=DOCS_PATH if settings.is_development else None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.lifecycle = lifecycle

    for module in (index, auth, health, stores, admin, metrics_router):
        app.include_router(module.router)
    if settings.dashboard_dir is not None:
        app.include_router(dashboard_router(settings.dashboard_dir))  # last: it answers any other path
    install_error_handlers(app, body_limit_bytes=settings.body_limit_bytes)

    # add_middleware wraps what is there already, so the last one added runs first.
    app.add_middleware(TimeoutMiddleware, seconds=settings.request_timeout_seconds)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.body_limit_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=False,  # bearer tokens, never cookies: nothing ambient to protect
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER],
        expose_headers=[REQUEST_ID_HEADER, "Retry-After"],
        max_age=600,
    )
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    exempt = frozenset({DOCS_PATH}) if settings.is_development else frozenset()
    app.add_middleware(SecurityHeadersMiddleware, csp_exempt_paths=exempt)
    app.add_middleware(RequestIdMiddleware)
    return app


def _build_services(
    settings: Settings,
    kube: KubernetesClients,
    key: bytes,
    metrics: GatewayMetrics,
    lifecycle: Lifecycle,
    archive: AuditArchive,
) -> Services:
    namespace = settings.platform_namespace
    recorder = EventRecorder(kube, settings.pod_name or socket.gethostname(), archive.writer)
    audit = SecurityAudit(metrics, recorder, namespace)
    tenants = TenantStore(kube)
    counters = CounterStore(kube, namespace)
    signer = TokenSigner(
        key, issuer=settings.jwt_issuer, audience=settings.jwt_audience, ttl_seconds=settings.token_ttl_seconds
    )
    accounts = AccountService(
        settings=settings,
        users=UserStore(kube, namespace),
        tenants=tenants,
        counters=counters,
        audit=audit,
        signer=signer,
    )
    return Services(
        settings=settings,
        clients=kube,
        accounts=accounts,
        tenants=tenants,
        health=HealthProbe(kube, namespace),
        audit=audit,
        metrics=metrics,
        lifecycle=lifecycle,
        stores=StoreService(settings=settings, clients=kube, counters=counters, tenants=tenants, recorder=recorder),
        streams=StoreStreams(settings, kube),
        audit_log=AuditLog(kube, namespace, archive.store),
    )


async def _sweep_counters_forever(counters: CounterStore) -> None:
    while True:
        # Jitter so replicas started together do not sweep together.
        await asyncio.sleep(_SWEEP_INTERVAL_SECONDS * random.uniform(0.5, 1.0))  # noqa: S311
        try:
            removed = await counters.sweep()
        except StorageError as error:
            logger.warning("could not sweep expired login counters: %s", error)
            continue
        if removed:
            logger.info("swept %d expired login counters", removed)
