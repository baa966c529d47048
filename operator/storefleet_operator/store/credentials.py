"""The store's credentials Secret and who may read it: pure builders, no I/O.

The Secret is generated once, in the store namespace, and never regenerated while it exists: the chart
reads it through secretKeyRef only, so an upgrade never rotates a database password under a running
store. Every generated value is URL-safe (``secrets.token_urlsafe``: letters, digits, ``-`` and ``_``)
because database-password goes into Medusa's DATABASE_URL as-is. Values never leave this module except
in the Secret body handed to the Kubernetes adapter.

The store's owner reads the Secret through a Role naming exactly that Secret (``resourceNames``), bound
to the tenant's ``storefleet-tenant`` ServiceAccount (the gateway impersonates it) and to the Tenant's
owners.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Final

from storefleet_operator import naming
from storefleet_operator.models import Engine, Store

ADMIN_USERNAME: Final = "admin"
TENANT_SERVICE_ACCOUNT: Final = "storefleet-tenant"
READER_SUFFIX: Final = "-credentials-reader"

# Bytes of randomness per value (token_urlsafe makes ~1.33 characters per byte).
_PASSWORD_BYTES: Final = 18
_DATABASE_BYTES: Final = 24
_SIGNING_BYTES: Final = 32

COMMON_KEYS: Final = ("admin-username", "admin-email", "admin-password", "database-password")
ENGINE_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    "woocommerce": ("database-root-password",),
    "medusa": ("jwt-secret", "cookie-secret"),
}


def admin_email(store: Store, host: str) -> str:
    """``spec.adminEmail``, or ``admin@<store host>`` so every store has a deliverable-looking address."""
    return store.spec.admin_email or f"{ADMIN_USERNAME}@{host}"


def generate_credentials(engine: Engine, email: str) -> dict[str, str]:
    """Fresh credentials for a store of ``engine``: the keys the chart expects for that engine."""
    values = {
        "admin-username": ADMIN_USERNAME,
        "admin-email": email,
        "admin-password": secrets.token_urlsafe(_PASSWORD_BYTES),
        "database-password": secrets.token_urlsafe(_DATABASE_BYTES),
    }
    if engine == "woocommerce":
        values["database-root-password"] = secrets.token_urlsafe(_DATABASE_BYTES)
    else:
        values["jwt-secret"] = secrets.token_urlsafe(_SIGNING_BYTES)
        values["cookie-secret"] = secrets.token_urlsafe(_SIGNING_BYTES)
    return values


def secret_manifest(store: Store, namespace: str, values: Mapping[str, str]) -> dict[str, Any]:
    name = store.metadata.name
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": naming.credentials_secret_name(name),
            "namespace": namespace,
            "labels": naming.store_labels(store.metadata.namespace, name, store.spec.engine, store.metadata.uid),
        },
        "type": "Opaque",
        "stringData": dict(values),
    }


def reader_name(store: Store) -> str:
    return f"{store.metadata.name}{READER_SUFFIX}"


def reader_role(store: Store, namespace: str) -> dict[str, Any]:
    """A Role allowing ``get`` on exactly the credentials Secret and nothing else."""
    name = store.metadata.name
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {
            "name": reader_name(store),
            "namespace": namespace,
            "labels": naming.store_labels(store.metadata.namespace, name, store.spec.engine, store.metadata.uid),
        },
        "rules": [
            {
                "apiGroups": [""],
                "resources": ["secrets"],
                "resourceNames": [naming.credentials_secret_name(name)],
                "verbs": ["get"],
            }
        ],
    }


def reader_subjects(store: Store, owners: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """The tenant ServiceAccount (in the Store's namespace) and the Tenant's owners, without duplicates."""
    subjects = [{"kind": "ServiceAccount", "name": TENANT_SERVICE_ACCOUNT, "namespace": store.metadata.namespace}]
    for owner in owners:
        subject = {"kind": owner["kind"], "name": owner["name"], "apiGroup": "rbac.authorization.k8s.io"}
        if subject not in subjects:
            subjects.append(subject)
    return subjects


def reader_binding(store: Store, namespace: str, owners: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    name = store.metadata.name
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {
            "name": reader_name(store),
            "namespace": namespace,
            "labels": naming.store_labels(store.metadata.namespace, name, store.spec.engine, store.metadata.uid),
        },
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": reader_name(store)},
        "subjects": reader_subjects(store, owners),
    }


def tenant_owners(tenant: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """The owners listed in a Tenant body (``spec.owners``), or none when there is no Tenant."""
    if not tenant:
        return []
    owners = (tenant.get("spec") or {}).get("owners") or []
    return [
        {"kind": str(o["kind"]), "name": str(o["name"])}
        for o in owners
        if isinstance(o, Mapping) and o.get("kind") in ("User", "Group") and o.get("name")
    ]
