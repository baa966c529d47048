"""GET /metrics: Prometheus text for a scraper holding the scrape token (not a person's JWT).

When `metrics_port` is set the metrics are served on that port instead, and this route answers 404.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response

from storefleet_api import errors
from storefleet_api.config import Settings
from storefleet_api.metrics import GatewayMetrics

router = APIRouter(tags=["metrics"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}, 401: {}, 404: {}},
    summary="Prometheus metrics; send 'Authorization: Bearer <scrape token>'",
)
async def metrics(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    registry: GatewayMetrics = request.app.state.metrics
    if settings.metrics_port is not None or settings.metrics_token is None:
        raise errors.NotFound("metrics are not served on this port")
    expected = f"Bearer {settings.metrics_token.get_secret_value()}".encode()
    given = request.headers.get("authorization", "").encode()
    if not hmac.compare_digest(given, expected):
        raise errors.NotAuthenticated("send 'Authorization: Bearer <scrape token>' (STOREFLEET_METRICS_TOKEN)")
    body, content_type = registry.render()
    return Response(body, media_type=content_type)
