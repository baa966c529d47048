"""/api/v1/admin: what only admins may see: every tenant, every store, the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from storefleet_api.dependencies import AdminUser, ServicesDep
from storefleet_api.models.audit import AuditCategory, AuditPage
from storefleet_api.models.common import error_responses
from storefleet_api.models.overview import Overview
from storefleet_api.models.stores import StorePage, store_out
from storefleet_api.models.tenants import TenantOut, TenantPage
from storefleet_api.routers import API_PREFIX
from storefleet_api.services.overview import read_overview
from storefleet_operator import naming
from storefleet_operator.models import READY, Engine, Phase, Tenant, get_condition

router = APIRouter(prefix=f"{API_PREFIX}/admin", tags=["admin"])


@router.get(
    "/tenants",
    response_model=TenantPage,
    responses=error_responses(401, 403, 422),
    summary="List tenants, a page at a time",
)
async def list_tenants(
    _: AdminUser,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    continue_token: Annotated[str | None, Query(max_length=2048)] = None,
) -> TenantPage:
    tenants, next_token = await services.tenants.list(limit=limit, continue_token=continue_token)
    # The gateway's own count is current at once (its store cache is watch-fed and holds its own
    # writes); the operator's status.storeCount is refreshed every 30 s, and is the fallback.
    counts = services.stores.counts()
    return TenantPage(
        items=[
            TenantOut(
                name=tenant.metadata.name,
                display_name=tenant.spec.display_name,
                email=tenant.spec.email,
                owners=[owner.name for owner in tenant.spec.owners],
                store_limit=tenant.spec.store_limit,
                namespace=tenant.namespace,
                ready=ready_status(tenant),
                store_count=(
                    counts.get(tenant.namespace, 0)
                    if counts is not None and tenant.namespace
                    else tenant.status.store_count
                ),
                created_at=tenant.metadata.creation_timestamp,
            )
            for tenant in tenants
        ],
        continue_token=next_token,
    )


def ready_status(tenant: Tenant) -> str | None:
    condition = get_condition(tenant.status.conditions, READY)
    return condition.status if condition is not None else None


TenantFilter = Annotated[
    str | None, Query(max_length=40, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", description="Only this tenant")
]


@router.get(
    "/stores",
    response_model=StorePage,
    responses=error_responses(401, 403, 410, 422),
    summary="List every tenant's stores (or one tenant's), optionally by phase, engine and text",
)
async def list_all_stores(
    user: AdminUser,
    services: ServicesDep,
    tenant: TenantFilter = None,
    phase: Phase | None = None,
    engine: Engine | None = None,
    q: Annotated[
        str | None, Query(max_length=80, description="Text in the store's name, display name or tenant")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    continue_token: Annotated[
        str | None, Query(alias="continue", max_length=2048, description="continue_token from the previous page")
    ] = None,
) -> StorePage:
    scope = services.stores.scope(user, tenant) if tenant else None
    stores, token = await services.stores.list_stores(
        scope, phase=phase, engine=engine, limit=limit, continue_token=continue_token, text=q
    )
    return StorePage(items=[store_out(store) for store in stores], continue_token=token)


@router.get(
    "/audit",
    response_model=AuditPage,
    responses=error_responses(401, 403, 422, 503),
    summary="Store lifecycle and security events, newest first (kept 90 days with an audit database; "
    "without one, Kubernetes Events of about the last hour)",
)
async def audit_log(
    _: AdminUser,
    services: ServicesDep,
    category: AuditCategory | None = None,
    type_: Annotated[
        str | None,
        Query(alias="type", max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9]*$", description="e.g. LoginFailed"),
    ] = None,
    tenant: TenantFilter = None,
    store: Annotated[
        str | None,
        Query(max_length=naming.STORE_NAME_MAX, pattern=naming.STORE_NAME_PATTERN, description="Only this store"),
    ] = None,
    since: Annotated[datetime | None, Query(description="RFC 3339; without a zone it means UTC")] = None,
    until: Annotated[datetime | None, Query(description="Before this time (RFC 3339; without a zone, UTC)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    entries, truncated = await services.audit_log.entries(
        category=category,
        reason=type_,
        tenant=tenant,
        store=store,
        since=_utc(since),
        until=_utc(until),
        limit=limit,
    )
    return AuditPage(items=entries, truncated=truncated)


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


@router.get(
    "/overview",
    response_model=Overview,
    responses=error_responses(401, 403),
    summary="Stores by phase and engine, recent failures, provisioning duration p50/p95",
)
async def overview(_: AdminUser, services: ServicesDep) -> Overview:
    return await read_overview(services.stores)
