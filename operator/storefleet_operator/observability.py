"""Metrics and log context for the operator.

Metrics live in a registry of our own (not prometheus_client's global one) so tests can build many
and the scrape output holds only storefleet's series. Log context (store, tenant, correlation id)
rides on contextvars, so every log line of one reconcile pass carries it without being passed around;
the correlation id is the gateway's request id from the Store's ``storefleet.io/request-id``.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

_store: contextvars.ContextVar[str | None] = contextvars.ContextVar("store", default=None)
_tenant: contextvars.ContextVar[str | None] = contextvars.ContextVar("tenant", default=None)
_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)

# Provisioning takes seconds on the local cluster and minutes on a real one (image pulls, WP-CLI).
_DURATION_BUCKETS = (1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200)
# Most stores take a slot at once (0); a queued one waits for whole provisionings ahead of it.
_QUEUE_WAIT_BUCKETS = (0, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.stores_by_phase = Gauge(
            "storefleet_stores", "Stores by phase and engine, as last reconciled.", ["phase", "engine"], registry=r
        )
        self.provisioning_duration_seconds = Histogram(
            "storefleet_provisioning_duration_seconds",
            "Time from a Store's creation (or retry) to Ready.",
            ["engine"], buckets=_DURATION_BUCKETS, registry=r,
        )
        self.step_duration_seconds = Histogram(
            "storefleet_step_duration_seconds", "Duration of one reconcile step.",
            ["engine", "step"], buckets=_DURATION_BUCKETS, registry=r,
        )
        self.step_failures_total = Counter(
            "storefleet_step_failures_total", "Failed attempts of a reconcile step.",
            ["engine", "step", "reason"], registry=r,
        )
        self.queue_depth = Gauge(
            "storefleet_provisioning_queue_depth", "Stores waiting for a provisioning slot.", registry=r
        )
        self.in_flight = Gauge(
            "storefleet_provisioning_in_flight", "Stores holding a provisioning slot.", registry=r
        )
        self.queue_wait_seconds = Histogram(
            "storefleet_provisioning_queue_wait_seconds",
            "Time a store waited for a provisioning slot before taking one (0 when one was free).",
            buckets=_QUEUE_WAIT_BUCKETS, registry=r,
        )
        # The process's start time, the usual way to count restarts (changes() over it); our own name
        # because this registry holds only storefleet's series (no process collector).
        self.start_time_seconds = Gauge(
            "storefleet_operator_start_time_seconds", "Unix time this operator process started.", registry=r
        )
        self.start_time_seconds.set_to_current_time()
        self.orphans_collected_total = Counter(
            "storefleet_orphans_collected_total",
            "Store namespaces and Helm releases removed because their Store is gone (or was replaced).",
            ["kind"], registry=r,
        )
        for kind in ("namespace", "release"):
            self.orphans_collected_total.labels(kind=kind)  # present at 0, so alerts can use rate()
        self.audit_dropped_events_total = Counter(
            "storefleet_audit_dropped_events_total",
            "Store Events not written to the audit database (database unreachable and queue full, or shutdown).",
            registry=r,
        )

    def serve(self, port: int, addr: str = "0.0.0.0") -> None:  # noqa: S104 - scraped from the pod IP
        start_http_server(port, addr=addr, registry=self.registry)


@contextlib.contextmanager
def log_context(
    *, store: str | None = None, tenant: str | None = None, correlation_id: str | None = None
) -> Iterator[None]:
    """Attach store/tenant/correlation id to every log record emitted inside the block."""
    tokens = [_store.set(store), _tenant.set(tenant), _correlation_id.set(correlation_id)]
    try:
        yield
    finally:
        _correlation_id.reset(tokens[2])
        _tenant.reset(tokens[1])
        _store.reset(tokens[0])


class ContextFilter(logging.Filter):
    """Copies the log context onto records, where kopf's JSON formatter picks them up as fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in (("store", _store), ("tenant", _tenant), ("correlation_id", _correlation_id)):
            value = var.get()
            if value is not None and not hasattr(record, name):
                setattr(record, name, value)
        return True


class QuietHandlers(logging.Filter):
    """Drops kopf's "Handler ... succeeded" lines for handlers that run on every watch event (the
    work-queue wake-up): one log line per status write of every store is noise, and at fleet scale, work."""

    def __init__(self, handlers: tuple[str, ...]) -> None:
        super().__init__()
        self.prefixes = tuple(f"Handler {name!r} succeeded" for name in handlers)

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.getMessage().startswith(self.prefixes))


def install_log_context(logger: logging.Logger | None = None) -> None:
    """Add the context filter to every handler of ``logger`` (the root logger by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, ContextFilter) for f in handler.filters):
            handler.addFilter(ContextFilter())
