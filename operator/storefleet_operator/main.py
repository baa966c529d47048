"""Operator entry point: settings, logging, clients on ``memo``, and kopf's run loop.

``python -m storefleet_operator`` runs every handler cluster-wide. With several replicas, kopf peering
(``ClusterKopfPeering`` named ``storefleet``, see deploy/operator/peering.yaml) lets exactly one of
them handle resources while the others stand by: the one with the highest priority, drawn at random at
each start (``peering_priority``). ``STOREFLEET_OPERATOR_STANDALONE=1`` skips peering for a single
process (tests, ``make dev``).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import kopf
from kubernetes import client, config
from pyhelm3 import Client as HelmClient

from storefleet_operator import contract
from storefleet_operator.adapters.audit_store import AuditStore
from storefleet_operator.adapters.audit_writer import AuditWriter
from storefleet_operator.adapters.peering import PeeringIdentity
from storefleet_operator.observability import Metrics, QuietHandlers, install_log_context
from storefleet_operator.settings import OperatorSettings

HANDLER_MODULES = (
    "storefleet_operator.handlers.tenants",
    "storefleet_operator.handlers.stores",
    "storefleet_operator.handlers.orphans",
)
PEERING_NAME = "storefleet"
PEERING_PRIORITY_RANGE = 1_000_000_000
TOKEN_REFRESH_SECONDS = 10.0
log = logging.getLogger(__name__)


def blocking_threads(settings: OperatorSettings) -> int:
    """Threads for blocking calls (API reads and writes, execs), which all go through asyncio.to_thread.

    An exec holds its thread for a whole setup command, so each provisioning slot can pin one while
    the passes of other stores gather several reads at once. asyncio's default pool is sized by CPUs
    (6 threads on 2 cores), which queued reads behind running commands.
    """
    return 16 + 2 * settings.max_concurrent_provisions


def peering_identity() -> str:
    """This replica's name in the peering: its pod (``POD_ID``, as kopf reads it), else host and process,
    with a random tail so a restarted process is a new peer."""
    where = os.environ.get("POD_ID") or f"{socket.gethostname()}/{os.getpid()}"
    return f"{where}/{secrets.token_hex(3)}"


def peering_priority(settings: OperatorSettings) -> int:
    """The priority this replica joins the peering with: the configured one, else a random one from a
    range wide enough that two replicas drawing the same is a one-in-a-billion event."""
    if settings.peering_priority is not None:
        return settings.peering_priority
    return 1 + secrets.randbelow(PEERING_PRIORITY_RANGE)


class ThrottledTokenRefresh:
    """The client's token refresh hook, run at most every ``every`` seconds instead of before every request.

    Both kubeconfig and in-cluster loading install a hook that the client calls before each request. It
    applies the whole loaded configuration again, and setting ``host`` reads the proxy variables from the
    environment again: 18% of the idle operator's Python time (py-spy, GIL samples, 100 stores re-looked
    at the rate of 1000). The hook itself re-reads an in-cluster token file once a minute, and ServiceAccount
    tokens stay valid for an hour after the kubelet rotates them, so a few seconds late is harmless.

    The loader's hook runs against a spare configuration and only the token is copied over: the hook also
    installs itself again on the configuration it is given, and doing that on the shared one would let a
    request thread call it directly and replace this throttle for good.
    """

    def __init__(self, hook: Callable[[client.Configuration], None], every: float, clock: Callable[[], float]) -> None:
        self._hook, self._every, self._clock = hook, every, clock
        self._last: float | None = None
        self._lock = threading.Lock()

    def __call__(self, configuration: client.Configuration) -> None:
        with self._lock:
            now = self._clock()
            if self._last is not None and now - self._last < self._every:
                return
            self._last = now
            spare: Any = client.Configuration()  # the client's stubs type the hook as always None
            self._hook(spare)
            self._hook = spare.refresh_api_key_hook or self._hook  # each run installs a new closure
            configuration.api_key.update(spare.api_key)


def throttle_token_refresh(
    configuration: client.Configuration,
    every: float = TOKEN_REFRESH_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    settable: Any = configuration  # the client's stubs type the hook as always None
    if settable.refresh_api_key_hook is not None:
        settable.refresh_api_key_hook = ThrottledTokenRefresh(settable.refresh_api_key_hook, every, clock)


def build_api_client(settings: OperatorSettings) -> client.ApiClient:
    configuration = client.Configuration()
    if settings.kubeconfig is not None:
        config.load_kube_config(config_file=str(settings.kubeconfig), client_configuration=configuration)
    else:
        config.load_incluster_config(client_configuration=configuration)
    throttle_token_refresh(configuration)
    # One pooled connection per thread that may use it; a smaller pool drops and re-dials connections.
    configuration.connection_pool_maxsize = blocking_threads(settings)
    return client.ApiClient(configuration)


@kopf.on.startup()
async def configure_operator(settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any) -> None:
    ours: OperatorSettings = memo.settings
    # Our status schema is structural (no preserve-unknown-fields), so kopf's default bookkeeping in
    # status.kopf would be pruned by the apiserver; keep it in annotations instead.
    # A prefix of its own: kopf leaves annotations under its prefix out of change detection, and
    # storefleet.io/* annotations (requested-at, request-id) are ours to react to.
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix="kopf.storefleet.io")
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix="kopf.storefleet.io", key="last-handled-configuration"
    )
    settings.persistence.finalizer = contract.FINALIZER
    # Our own Events describe every transition; kopf's per-handler "succeeded" events would double
    # them, so only its warnings and errors are posted. This level also filters kopf.info(), so our
    # Normal events go through kopf.event(type="Normal").
    settings.posting.level = logging.WARNING
    # Watches can go silent without an error when a connection is dropped by a proxy; a server-side
    # timeout makes kopf re-list regularly (see nolar/kopf issues about stuck watch streams).
    settings.watching.server_timeout = 300
    settings.watching.client_timeout = 330
    settings.watching.connect_timeout = 30
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=blocking_threads(ours), thread_name_prefix="blocking")
    )
    memo.api = build_api_client(ours)
    memo.helm = HelmClient(
        executable=ours.helm_executable,
        # A kubeconfig *file* keeps the ServiceAccount token off helm's argv (never kubetoken=).
        kubeconfig=ours.kubeconfig,
        history_max_revisions=ours.history_max,
        default_timeout=f"{ours.helm_timeout_seconds}s",
    )
    memo.audit_writer = None
    if ours.audit_database_url is not None:
        store = AuditStore(ours.audit_database_url.get_secret_value())
        await store.open()
        memo.audit_store = store
        memo.audit_writer = AuditWriter(store, on_dropped=memo.metrics.audit_dropped_events_total.inc)
        memo.audit_writer.start()
    memo.metrics.serve(ours.metrics_port)
    log.info("storefleet operator started", extra={"chart": str(ours.chart_path)})


@kopf.on.cleanup()
async def close_clients(memo: kopf.Memo, **_: Any) -> None:
    runtime = getattr(memo, "store_runtime", None)
    if runtime is not None:
        await runtime.queue.close()  # running passes end (or are cancelled) before their clients close
    api = getattr(memo, "api", None)
    if api is not None:
        api.close()
    writer: AuditWriter | None = getattr(memo, "audit_writer", None)
    if writer is not None:
        await writer.stop()
        await memo.audit_store.close()


@kopf.on.login()
def login(memo: kopf.Memo, **kwargs: Any) -> kopf.ConnectionInfo | None:
    ours: OperatorSettings = memo.settings
    if ours.kubeconfig is not None:
        os.environ["KUBECONFIG"] = str(ours.kubeconfig)
        return kopf.login_with_kubeconfig(**kwargs)
    return kopf.login_with_service_account(**kwargs)


def main() -> None:
    settings = OperatorSettings()
    kopf.configure(
        verbose=os.environ.get("STOREFLEET_OPERATOR_VERBOSE") == "1",
        log_format=kopf.LogFormat.JSON if settings.log_format == "json" else kopf.LogFormat.FULL,
        log_refkey="object",
    )
    install_log_context()
    logging.getLogger("kopf.objects").addFilter(QuietHandlers(("notice_store_change", "notice_drift")))
    # pyhelm3 logs every helm command line at INFO; values go on stdin so nothing secret is there,
    # but one line per helm call drowns the reconcile story.
    logging.getLogger("pyhelm3").setLevel(logging.WARNING)
    for module in HANDLER_MODULES:
        importlib.import_module(module)
    standalone = os.environ.get("STOREFLEET_OPERATOR_STANDALONE") == "1"
    # The store work queue follows the peering itself (adapters.peering), so it must know this
    # replica's identity and priority there: both are chosen here and handed to kopf.
    peering = None if standalone else PeeringIdentity(PEERING_NAME, peering_identity(), peering_priority(settings))
    kopf.run(
        clusterwide=True,
        standalone=standalone,
        peering_name=None if peering is None else peering.name,
        priority=None if peering is None else peering.priority,
        identity=None if peering is None else cast(Any, peering.identity),
        liveness_endpoint=f"http://0.0.0.0:{settings.liveness_port}/healthz",
        memo=kopf.Memo(settings=settings, metrics=Metrics(), peering=peering),
    )
