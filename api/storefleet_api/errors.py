"""The gateway's error vocabulary and how each error is rendered: always `{"detail": "<reason>"}`.

Boundary: maps exceptions to HTTP responses. Services raise `ApiError` subclasses that already
carry the status and a reason a person can act on; storage errors that escape are mapped here.
Validation errors never echo the submitted values (a rejected password must not come back in the
response body, and a 10 KB junk field should not either).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from storefleet_api.logs import request_id_var
from storefleet_api.storage.kubernetes import Gone, Invalid, PermissionDenied, StorageError, Unavailable

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An error with an HTTP status and a reason for the person who made the request."""

    status_code = 400

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class NotAuthenticated(ApiError):
    status_code = 401

    def __init__(self, detail: str = "log in first: send 'Authorization: Bearer <token>'") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="storefleet"'})


class InvalidCredentials(NotAuthenticated):
    def __init__(self) -> None:
        super().__init__("the email or the password is wrong")


class Forbidden(ApiError):
    status_code = 403


class NotFound(ApiError):
    status_code = 404


class Conflict(ApiError):
    status_code = 409


class Unprocessable(ApiError):
    status_code = 422


class _RetryLater(ApiError):
    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class AccountLocked(_RetryLater):
    status_code = 423


class RateLimited(_RetryLater):
    status_code = 429


class ServiceUnavailable(_RetryLater):
    status_code = 503


def error_response(status_code: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status_code, headers=headers)


def describe_validation_errors(errors: Sequence[Any]) -> str:
    """One readable sentence per invalid field, e.g. `email: not an email address we accept`."""
    parts: list[str] = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
        message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        if error.get("type") == "json_invalid":
            location, message = [], "the request body is not valid JSON"
        parts.append(f"{'.'.join(location)}: {message}" if location else message)
    return "; ".join(dict.fromkeys(parts)) or "the request is not valid"


def install_error_handlers(app: FastAPI, *, body_limit_bytes: int) -> None:
    async def api_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ApiError)
        return error_response(error.status_code, error.detail, error.headers)

    async def validation_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return error_response(422, describe_validation_errors(error.errors()))

    async def http_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        detail = str(error.detail)
        if error.status_code == 413:
            detail = f"the request body is larger than the {body_limit_bytes}-byte limit"
        elif error.status_code == 404 and detail == "Not Found":
            detail = "no such endpoint; see /api/v1/openapi.json"
        elif error.status_code == 405:
            detail = "this endpoint does not take that method; see /api/v1/openapi.json"
        return error_response(error.status_code, detail, dict(error.headers or {}))

    async def storage_error(_: Request, error: Exception) -> JSONResponse:
        if isinstance(error, Unavailable):
            logger.warning("kubernetes unavailable: %s", error)
            return error_response(
                503, "the cluster API is unreachable right now; try again shortly", {"Retry-After": "5"}
            )
        if isinstance(error, Invalid):
            return error_response(422, f"the cluster refused it: {error}")
        if isinstance(error, Gone):
            return error_response(
                410, "this listing has expired (its continue token is too old); list again from the start"
            )
        if isinstance(error, PermissionDenied):
            logger.error("gateway RBAC refused a call: %s", error)
            return error_response(
                500, "the gateway is not allowed to do this in the cluster; an operator must check its RBAC"
            )
        logger.error("unexpected storage error: %s", error)
        return error_response(500, f"internal error; quote request id {request_id_var.get() or '-'}")

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(StorageError, storage_error)
