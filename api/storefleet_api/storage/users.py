"""Users as Secrets in the platform namespace, and the one-shot first-admin claim.

Boundary: reads and writes Secrets; no decisions beyond "create, or Conflict if it exists".
One Secret per user, named by `identity.user_id_for(email)`, labelled `storefleet.io/user: "true"`,
of type `storefleet.io/user` (so nobody mistakes it for something to mount). Data: email,
password-hash (scrypt, parameters included), role, tenant, created-at, password-changed-at,
token-generation (bumped on a password change; older tokens stop working).
"""

from __future__ import annotations

import base64
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime

from kubernetes.client import CoreV1Api, V1DeleteOptions, V1ObjectMeta, V1Preconditions, V1Secret

from storefleet_api.models.people import Role
from storefleet_api.storage.kubernetes import Conflict, KubernetesClients, NotFound, call

USER_LABEL = "storefleet.io/user"
USER_SECRET_TYPE = "storefleet.io/user"  # noqa: S105 - a Secret type
FIRST_ADMIN_SECRET = "storefleet-first-admin"  # noqa: S105 - a Secret's name
MANAGED_BY = {"app.kubernetes.io/managed-by": "storefleet-gateway"}


@dataclass(frozen=True)
class UserRecord:
    id: str
    email: str
    password_hash: str
    role: Role
    tenant: str
    created_at: datetime
    password_changed_at: datetime | None = None
    token_generation: int = 0
    """Tokens carry the generation they were issued for; a password change bumps it."""
    resource_version: str = ""
    uid: str = ""


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _data(user: UserRecord) -> dict[str, bytes | str]:
    fields = {
        "email": user.email,
        "password-hash": user.password_hash,
        "role": user.role,
        "tenant": user.tenant,
        "created-at": _iso(user.created_at),
        "password-changed-at": _iso(user.password_changed_at),
        "token-generation": str(user.token_generation),
    }
    return {key: base64.b64encode(value.encode()).decode() for key, value in fields.items()}


def _record(secret: V1Secret) -> UserRecord:
    raw = {key: base64.b64decode(value).decode("utf-8") for key, value in (secret.data or {}).items()}
    role = raw.get("role", "tenant")
    changed = raw.get("password-changed-at")
    metadata = secret.metadata or V1ObjectMeta()
    return UserRecord(
        id=metadata.name or "",
        email=raw["email"],
        password_hash=raw["password-hash"],
        role="admin" if role == "admin" else "tenant",
        tenant=raw["tenant"],
        created_at=datetime.fromisoformat(raw["created-at"]),
        password_changed_at=datetime.fromisoformat(changed) if changed else None,
        token_generation=int(raw.get("token-generation") or 0),
        resource_version=metadata.resource_version or "",
        uid=metadata.uid or "",
    )


class UserStore:
    """User Secrets in one namespace, read and written as the gateway itself."""

    def __init__(self, clients: KubernetesClients, namespace: str) -> None:
        self._api = CoreV1Api(clients.admin)
        self._timeout = clients.request_timeout
        self.namespace = namespace

    def _secret(self, user: UserRecord) -> V1Secret:
        return V1Secret(
            metadata=V1ObjectMeta(
                name=user.id,
                namespace=self.namespace,
                labels={USER_LABEL: "true", **MANAGED_BY},
                resource_version=user.resource_version or None,
            ),
            type=USER_SECRET_TYPE,
            data=_data(user),
        )

    async def create(self, user: UserRecord) -> UserRecord:
        """Create the user's Secret; Conflict when a user with this email exists already."""
        created = await call(
            self._api.create_namespaced_secret, self.namespace, self._secret(user), _request_timeout=self._timeout
        )
        return _record(created)

    async def get(self, user_id: str) -> UserRecord | None:
        try:
            secret = await call(
                self._api.read_namespaced_secret, user_id, self.namespace, _request_timeout=self._timeout
            )
        except NotFound:
            return None
        if (secret.metadata and (secret.metadata.labels or {}).get(USER_LABEL)) != "true":
            return None  # a Secret that happens to share the name is not a user
        return _record(secret)

    async def replace(self, user: UserRecord) -> UserRecord:
        """Write the whole user back; Conflict when it changed since `user` was read."""
        updated = await call(
            self._api.replace_namespaced_secret,
            user.id,
            self.namespace,
            self._secret(user),
            _request_timeout=self._timeout,
        )
        return _record(updated)

    async def delete(self, user: UserRecord) -> None:
        """Delete exactly this user object (not one re-created under the same name meanwhile)."""
        options = V1DeleteOptions(preconditions=V1Preconditions(uid=user.uid or None))
        with contextlib.suppress(NotFound):
            await call(
                self._api.delete_namespaced_secret,
                user.id,
                self.namespace,
                body=options,
                _request_timeout=self._timeout,
            )

    async def claim_first_admin(self, user: UserRecord) -> bool:
        """Try to become the first admin: the create succeeds for exactly one caller, ever.

        Conflict (409) means someone else holds the claim; that is the common case, not an error.
        """
        marker = V1Secret(
            metadata=V1ObjectMeta(name=FIRST_ADMIN_SECRET, namespace=self.namespace, labels=dict(MANAGED_BY)),
            type=USER_SECRET_TYPE + "-claim",
            string_data={"user": user.id, "claimed-at": datetime.now(UTC).isoformat()},
        )
        try:
            await call(self._api.create_namespaced_secret, self.namespace, marker, _request_timeout=self._timeout)
        except Conflict:
            return False
        return True

    async def release_first_admin(self, user: UserRecord) -> None:
        """Give the claim back after a registration that could not complete (only if it is ours)."""
        try:
            marker = await call(
                self._api.read_namespaced_secret, FIRST_ADMIN_SECRET, self.namespace, _request_timeout=self._timeout
            )
        except NotFound:
            return
        owner = base64.b64decode((marker.data or {}).get("user", "")).decode()
        if owner != user.id or marker.metadata is None:
            return
        options = V1DeleteOptions(preconditions=V1Preconditions(uid=marker.metadata.uid))
        with contextlib.suppress(NotFound):
            await call(
                self._api.delete_namespaced_secret,
                FIRST_ADMIN_SECRET,
                self.namespace,
                body=options,
                _request_timeout=self._timeout,
            )
