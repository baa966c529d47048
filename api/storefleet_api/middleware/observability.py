"""Per-request metrics and one JSON access-log line; the last line of defence for unhandled errors.

Boundary: measures and logs. Routes are labelled by their template (`/api/v1/stores/{name}`), never
the raw path, so metric cardinality stays bounded whatever clients send.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storefleet_api.errors import error_response
from storefleet_api.logs import request_id_var
from storefleet_api.metrics import UNMATCHED_ROUTE, GatewayMetrics

logger = logging.getLogger("storefleet_api.access")


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: GatewayMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        response_started = False
        began = time.perf_counter()

        async def send_recording_status(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_recording_status)
        except Exception:
            logger.exception("unhandled error in %s %s", scope["method"], scope["path"])
            if response_started:
                raise  # half a response is out; only dropping the connection is honest now
            status = 500
            await error_response(500, f"internal error; quote request id {request_id_var.get() or '-'}")(
                scope, receive, send
            )
        finally:
            self.metrics.in_flight.dec()
            elapsed = time.perf_counter() - began
            route, method = route_template(scope), scope["method"]
            self.metrics.requests.labels(method=method, route=route, status=str(status)).inc()
            self.metrics.request_duration.labels(method=method, route=route).observe(elapsed)
            logger.info(
                "%s %s %s",
                method,
                route,
                status,
                extra={"method": method, "route": route, "status": status, "duration_ms": round(elapsed * 1000, 1)},
            )
