"""The JWT signing key, kept in the Secret `storefleet-jwt` (key `signing-key`) in the platform
namespace, so every replica signs and verifies with the same key.

Boundary: Kubernetes I/O only. The first replica to start creates a random 64-byte key; the others
lose the create race (409) and read the winner's key. Weak-key checks live in `services.tokens`.
"""

from __future__ import annotations

import base64
import secrets

from kubernetes.client import CoreV1Api, V1ObjectMeta, V1Secret

from storefleet_api.storage.kubernetes import Conflict, KubernetesClients, NotFound, StorageError, call
from storefleet_api.storage.users import MANAGED_BY

SIGNING_KEY_SECRET = "storefleet-jwt"  # noqa: S105 - the Secret's name
SIGNING_KEY_FIELD = "signing-key"
NEW_KEY_BYTES = 64


async def _read(api: CoreV1Api, namespace: str, request_timeout: tuple[float, float]) -> bytes | None:
    try:
        secret = await call(api.read_namespaced_secret, SIGNING_KEY_SECRET, namespace, _request_timeout=request_timeout)
    except NotFound:
        return None
    encoded = (secret.data or {}).get(SIGNING_KEY_FIELD)
    if not encoded:
        raise StorageError(
            f"Secret {namespace}/{SIGNING_KEY_SECRET} has no '{SIGNING_KEY_FIELD}' key; "
            "delete it and restart the gateway to create a new one"
        )
    return base64.b64decode(encoded)


async def load_or_create_signing_key(clients: KubernetesClients, namespace: str) -> bytes:
    """The cluster's signing key, created on first use."""
    api, request_timeout = CoreV1Api(clients.admin), clients.request_timeout
    existing = await _read(api, namespace, request_timeout)
    if existing is not None:
        return existing
    key = secrets.token_bytes(NEW_KEY_BYTES)
    secret = V1Secret(
        metadata=V1ObjectMeta(name=SIGNING_KEY_SECRET, namespace=namespace, labels=dict(MANAGED_BY)),
        type="Opaque",
        data={SIGNING_KEY_FIELD: base64.b64encode(key).decode()},
    )
    try:
        await call(api.create_namespaced_secret, namespace, secret, _request_timeout=request_timeout)
    except Conflict:
        winner = await _read(api, namespace, request_timeout)  # another replica created it first: use theirs
        if winner is None:
            raise
        return winner
    return key
