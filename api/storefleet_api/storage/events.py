"""Kubernetes Events for security-relevant moments (`kubectl describe secret user-…` shows them).

Boundary: creates core/v1 Events; best effort. An Event that cannot be written is logged and
dropped: refusing a login because the audit trail is briefly unavailable would turn an API-server
hiccup into an outage.

With an audit database configured, every Event written here is also handed to the
`AuditWriter` (queued, never awaited), so the admin audit log keeps it after Kubernetes drops it.
The archive gets it even when the API server refused the Event.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from kubernetes.client import CoreV1Api, CoreV1Event, V1EventSource, V1ObjectMeta, V1ObjectReference

from storefleet_api.storage.kubernetes import KubernetesClients, StorageError, call
from storefleet_operator import contract
from storefleet_operator.adapters.audit_store import AuditCategory, AuditRecord
from storefleet_operator.adapters.audit_writer import AuditWriter

logger = logging.getLogger(__name__)

COMPONENT = "storefleet-gateway"
AUDIT_CATEGORY_LABEL = "storefleet.io/audit"
"""On the Events the gateway writes: `security` (on user Secrets) or `store` (on Stores)."""
_CATEGORIES: dict[str, AuditCategory] = {"store": "store", "security": "security"}
_MAX_MESSAGE = 1024  # the API server's limit for an Event message


@dataclass(frozen=True)
class ObjectRef:
    kind: str
    name: str
    namespace: str
    api_version: str = "v1"
    uid: str | None = None
    """Set it when known: `kubectl describe` matches Events to an object by uid as well as name."""


class EventRecorder:
    """Writes Events as the gateway, attributed to this pod."""

    def __init__(self, clients: KubernetesClients, instance: str, archive: AuditWriter | None = None) -> None:
        self._api = CoreV1Api(clients.admin)
        self._timeout = clients.request_timeout
        self._instance = instance or COMPONENT
        self._archive = archive

    async def record(
        self,
        about: ObjectRef,
        *,
        reason: str,
        message: str,
        warning: bool = False,
        labels: dict[str, str] | None = None,
    ) -> None:
        """Write one Event; `labels` (e.g. the tenant) let the audit log filter Events server-side."""
        now = datetime.now(UTC)
        if self._archive is not None and (record := _audit_record(about, reason, message, warning, labels, now)):
            self._archive.submit(record)
        event = CoreV1Event(
            metadata=V1ObjectMeta(
                name=f"{about.name}.{secrets.token_hex(8)}", namespace=about.namespace, labels=labels or None
            ),
            involved_object=V1ObjectReference(
                kind=about.kind,
                name=about.name,
                namespace=about.namespace,
                api_version=about.api_version,
                uid=about.uid,
            ),
            reason=reason,
            message=message[:_MAX_MESSAGE],
            type="Warning" if warning else "Normal",
            source=V1EventSource(component=COMPONENT),
            reporting_component=f"storefleet.io/{COMPONENT}",
            reporting_instance=self._instance,
            first_timestamp=now,
            last_timestamp=now,
            count=1,
        )
        try:
            await call(self._api.create_namespaced_event, about.namespace, event, _request_timeout=self._timeout)
        except StorageError as error:
            logger.warning("could not record event %s on %s/%s: %s", reason, about.kind, about.name, error)


def _audit_record(
    about: ObjectRef, reason: str, message: str, warning: bool, labels: dict[str, str] | None, now: datetime
) -> AuditRecord | None:
    """The audit row for an Event whose labels name its audit category; None for other Events."""
    labels = labels or {}
    category = _CATEGORIES.get(labels.get(AUDIT_CATEGORY_LABEL, ""))
    if category is None:
        return None
    return AuditRecord(
        time=now,
        category=category,
        type=reason,
        severity="Warning" if warning else "Normal",
        message=message[:_MAX_MESSAGE],
        source=f"storefleet.io/{COMPONENT}",  # as the Event's reporting_component
        tenant=labels.get(contract.LABEL_TENANT),
        store=about.name if about.kind == "Store" else None,
        user_id=about.name if about.kind == "Secret" else None,
    )
