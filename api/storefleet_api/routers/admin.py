"""/api/v1/admin: what only admins may see (tenants now; the audit log later)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from storefleet_api.dependencies import AdminUser, ServicesDep
from storefleet_api.models.common import error_responses
from storefleet_api.models.tenants import TenantOut, TenantPage
from storefleet_api.routers import API_PREFIX
from storefleet_operator.models import READY, Tenant, get_condition

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
                store_count=tenant.status.store_count,
                created_at=tenant.metadata.creation_timestamp,
            )
            for tenant in tenants
        ],
        continue_token=next_token,
    )


def ready_status(tenant: Tenant) -> str | None:
    condition = get_condition(tenant.status.conditions, READY)
    return condition.status if condition is not None else None
