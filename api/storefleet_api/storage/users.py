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
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kubernetes.client import CoreV1Api, V1DeleteOptions, V1ObjectMeta, V1Preconditions, V1Secret

from storefleet_api.models.people import Role
from storefleet_api.storage.kubernetes import Conflict, KubernetesClients, NotFound, call
from storefleet_api.storage.watch_cache import WatchCache

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
    metadata = secret.metadata or V1ObjectMeta()
    return _record_of(metadata.name or "", secret.data or {}, metadata.resource_version or "", metadata.uid or "")


def _record_from_watch(body: dict[str, Any]) -> UserRecord | None:
    """A user from a watched Secret (a plain dict), or None for a Secret that is not a user's."""
    meta = body.get("metadata") or {}
    if (meta.get("labels") or {}).get(USER_LABEL) != "true":
        return None
    try:
        return _record_of(
            meta.get("name", ""), body.get("data") or {}, meta.get("resourceVersion", ""), meta.get("uid", "")
        )
    except (KeyError, ValueError):
        return None  # a hand-edited Secret: reads of it fall back to the API and fail there as before


def _record_of(name: str, data: Mapping[str, bytes | str], resource_version: str, uid: str) -> UserRecord:
    raw = {key: base64.b64decode(value).decode("utf-8") for key, value in data.items()}
    role = raw.get("role", "tenant")
    changed = raw.get("password-changed-at")
    return UserRecord(
        id=name,
        email=raw["email"],
        password_hash=raw["password-hash"],
        role="admin" if role == "admin" else "tenant",
        tenant=raw["tenant"],
        created_at=datetime.fromisoformat(raw["created-at"]),
        password_changed_at=datetime.fromisoformat(changed) if changed else None,
        token_generation=int(raw.get("token-generation") or 0),
        resource_version=resource_version,
        uid=uid,
    )


class UserStore:
    """User Secrets in one namespace, read and written as the gateway itself.

    Reads come from a watch-fed cache (every authenticated request reads its user, so reading the
    Secret each time was the gateway's largest cost); writes go to the API and then into the cache,
    so this process reads its own writes at once, and other replicas see them with the watch. A
    user the cache does not know (yet) is read from the API.
    """

    def __init__(self, clients: KubernetesClients, namespace: str) -> None:
        self._api = CoreV1Api(clients.admin)
        self._timeout = clients.request_timeout
        self.namespace = namespace
        self.cache: WatchCache[UserRecord] = WatchCache(
            "users",
            functools.partial(self._api.list_namespaced_secret, namespace, label_selector=f"{USER_LABEL}=true"),
            _record_from_watch,
        )

    def _remember(self, user: UserRecord) -> UserRecord:
        self.cache.put(self.namespace, user.id, user, user.resource_version)
        return user

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
        return self._remember(_record(created))

    async def get(self, user_id: str) -> UserRecord | None:
        if self.cache.synced:
            cached = self.cache.get(self.namespace, user_id)
            if cached is not None:
                return cached
        try:
            secret = await call(
                self._api.read_namespaced_secret, user_id, self.namespace, _request_timeout=self._timeout
            )
        except NotFound:
            return None
        if (secret.metadata and (secret.metadata.labels or {}).get(USER_LABEL)) != "true":
            return None  # a Secret that happens to share the name is not a user
        return self._remember(_record(secret))

    async def replace(self, user: UserRecord) -> UserRecord:
        """Write the whole user back; Conflict when it changed since `user` was read."""
        updated = await call(
            self._api.replace_namespaced_secret,
            user.id,
            self.namespace,
            self._secret(user),
            _request_timeout=self._timeout,
        )
        return self._remember(_record(updated))

    async def delete(self, user: UserRecord) -> None:
        """Delete exactly this user object (not one re-created under the same name meanwhile)."""
        options = V1DeleteOptions(preconditions=V1Preconditions(uid=user.uid or None))
        self.cache.remove(self.namespace, user.id)
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
