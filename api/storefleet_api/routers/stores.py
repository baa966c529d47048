"""/api/v1/stores: a tenant's stores — create, list, read, delete, retry, events, credentials, and a
live progress stream (server-sent events).

Every route acts in one tenant: the caller's own, or for admins the one named by `?tenant=`. A
store's id is its name, looked up in that tenant only; another tenant's store answers 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status
from fastapi.responses import StreamingResponse
from starlette.types import Send

from storefleet_api.dependencies import CurrentUser, ServicesDep
from storefleet_api.models.common import error_responses
from storefleet_api.models.stores import (
    HistoryOut,
    StoreCreateRequest,
    StoreCredentials,
    StoreEventOut,
    StoreEvents,
    StoreOut,
    StorePage,
    store_out,
)
from storefleet_api.routers import API_PREFIX
from storefleet_api.services.stores import StoreScope
from storefleet_operator.models import Engine, Phase

router = APIRouter(prefix=f"{API_PREFIX}/stores", tags=["stores"])

TenantParam = Annotated[
    str | None,
    Query(max_length=40, description="Admins only: act in this tenant instead of your own"),
]


async def get_scope(user: CurrentUser, services: ServicesDep, tenant: TenantParam = None) -> StoreScope:
    return services.stores.scope(user, tenant)


Scope = Annotated[StoreScope, Depends(get_scope)]
StoreId = Annotated[str, Path(description="The store's name (its id)")]


class EventStreamResponse(StreamingResponse):
    """SSE, closing the event generator as soon as the response ends (client gone included), so its
    watch stops now rather than whenever the generator is garbage collected."""

    media_type = "text/event-stream"

    async def stream_response(self, send: Send) -> None:
        try:
            await super().stream_response(send)
        finally:
            close = getattr(self.body_iterator, "aclose", None)
            if close is not None:
                await close()


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=StoreOut,
    responses=error_responses(401, 403, 404, 409, 422, 429, 503),
    summary="Request a new store; the operator provisions it (follow /stores/{id}/stream)",
)
async def create_store(body: StoreCreateRequest, scope: Scope, services: ServicesDep) -> StoreOut:
    return store_out(await services.stores.create(scope, body))


@router.get(
    "",
    response_model=StorePage,
    responses=error_responses(401, 403, 410, 422, 503),
    summary="List stores, a page at a time, optionally by phase and engine",
)
async def list_stores(
    scope: Scope,
    services: ServicesDep,
    phase: Phase | None = None,
    engine: Engine | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    continue_token: Annotated[
        str | None, Query(alias="continue", max_length=2048, description="continue_token from the previous page")
    ] = None,
) -> StorePage:
    stores, token = await services.stores.list_stores(
        scope, phase=phase, engine=engine, limit=limit, continue_token=continue_token
    )
    return StorePage(items=[store_out(store) for store in stores], continue_token=token)


@router.get("/{store_id}", response_model=StoreOut, responses=error_responses(401, 403, 404), summary="One store")
async def get_store(store_id: StoreId, scope: Scope, services: ServicesDep) -> StoreOut:
    return store_out(await services.stores.get(scope, store_id))


@router.delete(
    "/{store_id}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=StoreOut,
    responses=error_responses(401, 403, 404),
    summary="Delete a store in any phase (cancels one still provisioning); it goes once cleaned up",
)
async def delete_store(store_id: StoreId, scope: Scope, services: ServicesDep) -> StoreOut:
    return store_out(await services.stores.delete(scope, store_id))


@router.post(
    "/{store_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=StoreOut,
    responses=error_responses(401, 403, 404, 409),
    summary="Ask the operator to reconcile now and reset its failure count (409 while deleting)",
)
async def retry_store(store_id: StoreId, scope: Scope, services: ServicesDep) -> StoreOut:
    return store_out(await services.stores.retry(scope, store_id))


@router.get(
    "/{store_id}/events",
    response_model=StoreEvents,
    responses=error_responses(401, 403, 404),
    summary="What happened to a store: Kubernetes Events and the phase history",
)
async def store_events(store_id: StoreId, scope: Scope, services: ServicesDep) -> StoreEvents:
    store, records = await services.stores.events(scope, store_id)
    return StoreEvents(
        events=[
            StoreEventOut(
                time=record.time,
                type=record.type,
                reason=record.reason,
                message=record.message,
                source=record.source,
                count=record.count,
            )
            for record in records
        ],
        history=[
            HistoryOut(time=entry.time, phase=entry.phase, reason=entry.reason, message=entry.message)
            for entry in store.status.history
        ],
    )


@router.get(
    "/{store_id}/credentials",
    response_model=StoreCredentials,
    responses=error_responses(401, 403, 404, 409),
    summary="The store's admin login (owner only; never cached, never logged)",
)
async def store_credentials(
    store_id: StoreId, scope: Scope, services: ServicesDep, response: Response
) -> StoreCredentials:
    store, data = await services.stores.credentials(scope, store_id)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return StoreCredentials(
        username=data["admin-username"],
        email=data.get("admin-email"),
        password=data["admin-password"],
        admin_url=store.status.admin_url,
    )


@router.get(
    "/{store_id}/stream",
    response_class=EventStreamResponse,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
            "description": "event: status (data: the store), event: deleted, event: end (data: {reason}); "
            "': heartbeat' comments every 15 s",
        },
        **error_responses(401, 403, 404, 503),
    },
    summary="Follow a store's progress live (server-sent events) until it is Ready, Failed or deleted",
)
async def stream_store(store_id: StoreId, scope: Scope, services: ServicesDep) -> EventStreamResponse:
    services.streams.check_capacity()
    store = await services.stores.get(scope, store_id)  # 404 now, as a plain answer, not mid-stream
    as_tenant = None if scope.as_admin else scope.tenant
    return EventStreamResponse(
        services.streams.follow(store, as_tenant=as_tenant),
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},  # nginx: do not buffer SSE
    )
