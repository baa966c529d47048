"""Names derived from Store and Tenant names, and the labels we stamp on what we create.

Pure functions only: no Kubernetes client, no I/O. The operator, the gateway and the CRD generator all
use these, so a name is computed in exactly one place (the label keys themselves live in ``contract``).

Why the length limits are what they are:
- A store's namespace is ``store-<name>-<8 hex>``; a namespace name is a DNS-1123 label (<= 63).
- The store name is also the Helm release name (<= 53 for Helm) and the prefix of every object the
  chart creates. StatefulSet names must leave room for the ``-<10 char hash>`` that Kubernetes appends
  in the controller-revision-hash label (<= 63), and the chart adds suffixes like ``-postgres``.
  40 characters keeps every derived name valid with room for suffixes up to 12 characters.
- The chart's Services are named after the release and must be DNS-1035 labels, so a store name starts
  with a letter.
- A tenant's namespace is ``tenant-<name>`` (<= 63); 40 leaves room for future per-tenant suffixes.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

from storefleet_operator.contract import (
    LABEL_ENGINE,
    LABEL_MANAGED_BY,
    LABEL_STORE,
    LABEL_STORE_NAMESPACE,
    LABEL_STORE_UID,
    LABEL_TENANT,
    MANAGED_BY,
)

STORE_NAME_MAX: Final = 40
TENANT_NAME_MAX: Final = 40

# DNS-1035 label: the store name prefixes Services, which must start with a letter.
STORE_NAME_PATTERN: Final = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"
# DNS-1123 label: the tenant name only ever appears after "tenant-".
TENANT_NAME_PATTERN: Final = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"

STORE_NAME_CHARS: Final = (
    "must consist of lowercase letters, digits and '-', start with a letter and end with a letter or digit"
)
STORE_NAME_WHY: Final = "it names the store's namespace (store-<name>-<hash>) and its Helm release"
TENANT_NAME_CHARS: Final = "must consist of lowercase letters, digits and '-', and start and end with a letter or digit"
TENANT_NAME_WHY: Final = "it names the tenant's namespace (tenant-<name>)"

TENANT_NAMESPACE_PREFIX: Final = "tenant-"
STORE_NAMESPACE_PREFIX: Final = "store-"
STORE_NAMESPACE_HASH_LENGTH: Final = 8
"""Hex digits of sha256("<namespace>/<name>") in a store namespace. 8 (32 bits) rather than 6 makes an
accidental collision between two tenants' same-named stores a one-in-four-billion event; the operator
still checks the namespace's labels before adopting one."""

CREDENTIALS_SECRET_SUFFIX: Final = "-credentials"  # noqa: S105 -- a name suffix, not a secret

_STORE_NAME_RE: Final = re.compile(STORE_NAME_PATTERN)
_TENANT_NAME_RE: Final = re.compile(TENANT_NAME_PATTERN)


class InvalidNameError(ValueError):
    """A store or tenant name from which no valid Kubernetes name can be derived."""


def _check(kind: str, name: object, pattern: re.Pattern[str], limit: int, chars: str, why: str) -> str:
    shown = repr(name) if len(repr(name)) <= 60 else repr(name)[:57] + "..."
    if not isinstance(name, str) or not name:
        raise InvalidNameError(f"{kind} name {shown} is invalid: it must be a non-empty string")
    if len(name) > limit:
        raise InvalidNameError(
            f"{kind} name {shown} is invalid: it has {len(name)} characters, at most {limit} are allowed because {why}"
        )
    # fullmatch, not match: "$" in Python's re also matches before a trailing newline.
    if pattern.fullmatch(name) is None:
        raise InvalidNameError(f"{kind} name {shown} is invalid: it {chars}")
    return name


def validate_store_name(name: object) -> str:
    """Return ``name`` if it is a legal store name, else raise :class:`InvalidNameError`."""
    return _check("store", name, _STORE_NAME_RE, STORE_NAME_MAX, STORE_NAME_CHARS, STORE_NAME_WHY)


def validate_tenant_name(name: object) -> str:
    """Return ``name`` if it is a legal tenant name, else raise :class:`InvalidNameError`."""
    return _check("tenant", name, _TENANT_NAME_RE, TENANT_NAME_MAX, TENANT_NAME_CHARS, TENANT_NAME_WHY)


def tenant_namespace(tenant: str) -> str:
    """The namespace a tenant's Store objects live in: ``tenant-<tenant>``."""
    return TENANT_NAMESPACE_PREFIX + validate_tenant_name(tenant)


def tenant_from_namespace(namespace: str) -> str | None:
    """The tenant owning ``namespace`` if it is a tenant namespace, else None."""
    if not namespace.startswith(TENANT_NAMESPACE_PREFIX):
        return None
    tenant = namespace[len(TENANT_NAMESPACE_PREFIX) :]
    try:
        return validate_tenant_name(tenant)
    except InvalidNameError:
        return None


def store_namespace(namespace: str, name: str) -> str:
    """The namespace a store's workloads run in: ``store-<name>-<hash>``.

    Deterministic (the operator finds it again after a restart) and unique per (namespace, name): the
    same store name in two tenants gets two namespaces, and the readable part says which store it is.
    """
    validate_store_name(name)
    if not namespace:
        raise InvalidNameError("a Store's own namespace must be set to derive its store namespace")
    digest = hashlib.sha256(f"{namespace}/{name}".encode()).hexdigest()[:STORE_NAMESPACE_HASH_LENGTH]
    return f"{STORE_NAMESPACE_PREFIX}{name}-{digest}"


def release_name(name: str) -> str:
    """The Helm release of a store is named after the store (it is alone in its namespace)."""
    return validate_store_name(name)


def credentials_secret_name(name: str) -> str:
    """The Secret, in the store namespace, holding the store's generated admin and database passwords."""
    return validate_store_name(name) + CREDENTIALS_SECRET_SUFFIX


def store_labels(namespace: str, name: str, engine: str, uid: str | None = None) -> dict[str, str]:
    """Labels for everything the operator creates for a store (its namespace included): which Store
    (tenant namespace, name and, once it has one, uid) it belongs to, so the orphan sweep can find it."""
    labels = {
        LABEL_STORE: validate_store_name(name),
        LABEL_STORE_NAMESPACE: namespace,
        LABEL_ENGINE: engine,
        LABEL_MANAGED_BY: MANAGED_BY,
    }
    if uid:
        labels[LABEL_STORE_UID] = uid
    tenant = tenant_from_namespace(namespace)
    if tenant is not None:
        labels[LABEL_TENANT] = tenant
    return labels


def tenant_labels(tenant: str) -> dict[str, str]:
    """Labels for everything the operator creates for a tenant (its namespace included)."""
    return {LABEL_TENANT: validate_tenant_name(tenant), LABEL_MANAGED_BY: MANAGED_BY}
