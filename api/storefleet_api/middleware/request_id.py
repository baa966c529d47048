"""Give every request an id, answer it in `X-Request-ID`, and make it visible to logs.

Boundary: header handling only. A client-supplied id is kept when it is short and plain (so a
dashboard can correlate its own calls); anything else is replaced, so a hostile header cannot
inject into logs, Events or (later) the Store annotation `storefleet.io/request-id`.
"""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storefleet_api.logs import request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def acceptable_request_id(value: str | None) -> str:
    """The client's id if it is safe to reuse, else a fresh random one."""
    if value and _ACCEPTABLE.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = acceptable_request_id(Headers(scope=scope).get(REQUEST_ID_HEADER))
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)
