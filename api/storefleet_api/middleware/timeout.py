"""Answer 504 when a request has not started its response within the timeout.

Boundary: time only. Once the response has started (headers sent) the deadline is lifted, so a
long-lived stream such as server-sent events is not cut off by a limit meant for slow handlers.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storefleet_api.errors import error_response

logger = logging.getLogger(__name__)


class TimeoutMiddleware:
    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        try:
            async with asyncio.timeout(self.seconds) as deadline:

                async def send_lifting_deadline(message: Message) -> None:
                    nonlocal started
                    if message["type"] == "http.response.start":
                        started = True
                        deadline.reschedule(None)
                    await send(message)

                await self.app(scope, receive, send_lifting_deadline)
        except TimeoutError:
            if started:
                raise
            logger.warning("request timed out after %s s: %s %s", self.seconds, scope["method"], scope["path"])
            response = error_response(
                504, f"the request took longer than {self.seconds:g} s and was abandoned; try again"
            )
            await response(scope, receive, send)
