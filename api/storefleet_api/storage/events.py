"""Kubernetes Events for security-relevant moments (`kubectl describe secret user-…` shows them).

Boundary: creates core/v1 Events; best effort. An Event that cannot be written is logged and
dropped: refusing a login because the audit trail is briefly unavailable would turn an API-server
hiccup into an outage.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from kubernetes.client import CoreV1Api, CoreV1Event, V1EventSource, V1ObjectMeta, V1ObjectReference

from storefleet_api.storage.kubernetes import KubernetesClients, StorageError, call

logger = logging.getLogger(__name__)

COMPONENT = "storefleet-gateway"
AUDIT_CATEGORY_LABEL = "storefleet.io/audit"
"""On the Events the gateway writes: `security` (on user Secrets) or `store` (on Stores)."""
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

    def __init__(self, clients: KubernetesClients, instance: str) -> None:
        self._api = CoreV1Api(clients.admin)
        self._timeout = clients.request_timeout
        self._instance = instance or COMPONENT

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
