"""Prometheus metrics of one gateway instance, in a registry of its own.

Boundary: defines and renders metrics; middleware and services increment them. A registry per app
(not the process-global one) lets tests build many apps in one process without collisions.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

UNMATCHED_ROUTE = "unmatched"  # every unknown path shares one label value, so scanners add no series


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "storefleet_gateway_requests",
            "HTTP requests answered, by route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.request_duration = Histogram(
            "storefleet_gateway_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "storefleet_gateway_requests_in_flight", "HTTP requests being answered now.", registry=self.registry
        )
        self.security_events = Counter(
            "storefleet_gateway_security_events",
            "Security events (login failures, lockouts, rate limits, registrations, ...), by event.",
            ["event"],
            registry=self.registry,
        )
        self.audit_dropped = Counter(
            "storefleet_gateway_audit_dropped_events",
            "Events not written to the audit database (database unreachable and queue full, or shutdown).",
            registry=self.registry,
        )

    def render(self) -> tuple[bytes, str]:
        """The text exposition format and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
