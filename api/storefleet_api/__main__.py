"""`python -m storefleet_api`: run the gateway with uvicorn, configured by STOREFLEET_* variables.

On SIGTERM the gateway first reports not-ready for `shutdown_delay_seconds` (so the Service stops
sending it traffic), then stops accepting connections and lets in-flight requests finish.
"""

from __future__ import annotations

import logging
import sys
import threading
from types import FrameType

import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError

from storefleet_api.app import create_app
from storefleet_api.config import Settings, describe_settings_error
from storefleet_api.lifecycle import Lifecycle
from storefleet_api.logs import configure_logging

logger = logging.getLogger("storefleet_api")


class DrainingServer(uvicorn.Server):
    """A uvicorn server that turns readiness off before it stops serving."""

    def __init__(self, config: uvicorn.Config, lifecycle: Lifecycle, delay_seconds: float) -> None:
        super().__init__(config)
        self.lifecycle = lifecycle
        self.delay_seconds = delay_seconds

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.lifecycle.shutting_down or self.delay_seconds <= 0:
            super().handle_exit(sig, frame)  # a second signal (or no delay): stop now
            return
        logger.info("signal %s: draining for %.1f s before stopping", sig, self.delay_seconds)
        self.lifecycle.begin_shutdown()
        timer = threading.Timer(self.delay_seconds, self._stop_after_drain)
        timer.daemon = True
        timer.start()

    def _stop_after_drain(self) -> None:
        # Set the flag rather than call handle_exit: uvicorn re-raises signals it recorded once it
        # has stopped, which would report a completed, orderly shutdown as "killed by SIGTERM".
        self.should_exit = True


def server_config(app: FastAPI, settings: Settings) -> uvicorn.Config:
    """uvicorn's settings for the gateway: our logging, no proxy header trust, our keep-alive."""
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # keep our JSON logging
        access_log=False,
        proxy_headers=False,  # X-Forwarded-For is judged by STOREFLEET_TRUSTED_PROXIES, not uvicorn
        server_header=False,
        timeout_keep_alive=max(1, round(settings.keep_alive_seconds)),
        timeout_graceful_shutdown=int(settings.request_timeout_seconds) + 5,
        lifespan="on",
    )


def main() -> int:
    try:
        settings = Settings()
    except ValidationError as error:
        configure_logging()
        logger.error("invalid settings: %s", describe_settings_error(error))
        return 2
    configure_logging(settings.log_level)
    app = create_app(settings)
    config = server_config(app, settings)
    server = DrainingServer(config, app.state.lifecycle, settings.shutdown_delay_seconds)
    server.run()
    # uvicorn exits quietly when startup fails (e.g. a weak signing key): make that a failure.
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(main())
