"""Turn a Tenant body and what the adapters found into a ``TenantSnapshot``. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from storefleet_operator import naming
from storefleet_operator.models import InvalidResourceError, Tenant
from storefleet_operator.tenant.snapshot import TenantSnapshot


def parse(body: Mapping[str, Any]) -> tuple[Tenant | None, str | None]:
    try:
        return Tenant.from_body(body), None
    except InvalidResourceError as exc:
        return None, str(exc)


def tenant_namespace(body: Mapping[str, Any]) -> str:
    """Where the tenant's Stores live: from status once made, else derived from the name."""
    name = str((body.get("metadata") or {}).get("name", ""))
    return str((body.get("status") or {}).get("namespace") or naming.TENANT_NAMESPACE_PREFIX + name)


def observe(
    body: Mapping[str, Any], *, stores: Sequence[str], namespace_present: bool, now: datetime
) -> TenantSnapshot:
    meta = body.get("metadata") or {}
    tenant, invalid = parse(body)
    return TenantSnapshot(
        body=dict(body),
        tenant=tenant,
        invalid=invalid,
        name=str(meta.get("name", "")),
        namespace=tenant.namespace if tenant is not None else tenant_namespace(body),
        generation=meta.get("generation"),
        deleting=meta.get("deletionTimestamp") is not None,
        stores=tuple(stores),
        namespace_present=namespace_present,
        now=now,
    )
