"""Who asked for what: an Event on the Store for every create, delete, retry and credentials read
made through the gateway, naming the person and the request id.

Boundary: shapes the Event and hands it to `storage.events.EventRecorder` (best effort, as the
gateway's own identity). The operator's Events say what happened next; together they are the
store's story in `kubectl describe store` and in the admin audit log.
"""

from __future__ import annotations

from enum import StrEnum

from storefleet_api.logs import request_id_var
from storefleet_api.storage.events import AUDIT_CATEGORY_LABEL, EventRecorder, ObjectRef
from storefleet_api.storage.users import UserRecord
from storefleet_operator import contract
from storefleet_operator.models import Store


class StoreRequest(StrEnum):
    """Event reasons, CamelCase as Kubernetes Event reasons are."""

    REQUESTED = "StoreRequested"
    DELETION_REQUESTED = "DeletionRequested"
    RETRY_REQUESTED = "RetryRequested"
    CREDENTIALS_READ = "CredentialsRead"


class StoreRequestLog:
    def __init__(self, recorder: EventRecorder | None) -> None:
        self._recorder = recorder

    async def record(self, user: UserRecord, tenant: str, store: Store, reason: StoreRequest, what: str) -> None:
        if self._recorder is None:
            return
        who = user.email + (" (admin)" if user.role == "admin" and user.tenant != tenant else "")
        await self._recorder.record(
            ObjectRef(
                kind="Store",
                name=store.metadata.name,
                namespace=store.metadata.namespace,
                api_version=contract.API_VERSION,
                uid=store.metadata.uid,
            ),
            reason=reason.value,
            message=f"{what} by {who} (user {user.id}, request {request_id_var.get() or '-'})",
            labels={AUDIT_CATEGORY_LABEL: "store", contract.LABEL_TENANT: tenant},
        )
