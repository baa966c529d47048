"""Security events: each one becomes a JSON log line, a Prometheus counter increment and (for the
ones that change something or need a person's attention) a Kubernetes Event on the user's Secret.

Boundary: fans one event out to the three sinks. Never given passwords or tokens, so none of the
sinks can leak them. Kubernetes Events are written only when something changes (a lock engages, a
rate limit is reached), so an attacker hammering the API cannot flood etcd with them; every attempt
still shows up in logs and metrics.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from storefleet_api.logs import request_id_var
from storefleet_api.metrics import GatewayMetrics
from storefleet_api.storage.events import AUDIT_CATEGORY_LABEL, EventRecorder, ObjectRef
from storefleet_operator import contract

logger = logging.getLogger("storefleet_api.security")


class SecurityEvent(StrEnum):
    """Event reasons, CamelCase as Kubernetes Event reasons are."""

    USER_REGISTERED = "UserRegistered"
    FIRST_ADMIN_CLAIMED = "FirstAdminClaimed"
    REGISTRATION_RATE_LIMITED = "RegistrationRateLimited"
    LOGIN_SUCCEEDED = "LoginSucceeded"
    LOGIN_FAILED = "LoginFailed"
    ACCOUNT_LOCKED = "AccountLocked"
    LOGIN_REFUSED_LOCKED = "LoginRefusedLocked"
    LOGIN_RATE_LIMITED = "LoginRateLimited"
    PASSWORD_CHANGED = "PasswordChanged"  # noqa: S105 - an event reason
    TOKEN_REJECTED = "TokenRejected"  # noqa: S105 - an event reason
    ACCESS_FORBIDDEN = "AccessForbidden"


_WARNINGS = frozenset(
    {
        SecurityEvent.LOGIN_FAILED,
        SecurityEvent.ACCOUNT_LOCKED,
        SecurityEvent.LOGIN_RATE_LIMITED,
        SecurityEvent.REGISTRATION_RATE_LIMITED,
        SecurityEvent.ACCESS_FORBIDDEN,
    }
)


class SecurityAudit:
    def __init__(self, metrics: GatewayMetrics, recorder: EventRecorder | None, namespace: str) -> None:
        self._metrics = metrics
        self._recorder = recorder
        self._namespace = namespace

    async def emit(
        self,
        event: SecurityEvent,
        *,
        client_ip: str,
        user_id: str | None = None,
        email: str | None = None,
        detail: str = "",
        kubernetes_event: bool = False,
        tenant: str | None = None,
    ) -> None:
        """Record one event; `kubernetes_event` also writes an Event on the user's Secret, labelled
        with the user's tenant when known (so the admin audit log can filter by tenant)."""
        self._metrics.security_events.labels(event=event.value).inc()
        logger.log(
            logging.WARNING if event in _WARNINGS else logging.INFO,
            "security event %s",
            event.value,
            extra={"event": event.value, "user_id": user_id, "email": email, "client_ip": client_ip, "detail": detail},
        )
        if kubernetes_event and self._recorder is not None and user_id:
            request_id = request_id_var.get() or "-"
            who = email or user_id
            message = f"{detail or event.value} ({who}, from {client_ip}, request {request_id})"
            await self._recorder.record(
                ObjectRef(kind="Secret", name=user_id, namespace=self._namespace),
                reason=event.value,
                message=message,
                warning=event in _WARNINGS,
                labels={AUDIT_CATEGORY_LABEL: "security", **({contract.LABEL_TENANT: tenant} if tenant else {})},
            )
