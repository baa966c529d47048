"""FastAPI dependencies: the services built at startup, the caller's address, and who the caller is.

Boundary: reads request state and headers, delegates every decision to services.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from storefleet_api import errors
from storefleet_api.lifecycle import Services
from storefleet_api.services.audit import SecurityEvent
from storefleet_api.services.identity import client_ip
from storefleet_api.storage.users import UserRecord

_bearer = HTTPBearer(auto_error=False, description="The access_token from /api/v1/auth/login")


# Dependencies that only read request state are `async def`: FastAPI runs a plain `def` dependency
# in its thread pool, a thread hop per dependency per request for no work at all.
async def get_services(request: Request) -> Services:
    services = getattr(request.app.state, "services", None)
    if not isinstance(services, Services):
        raise errors.ServiceUnavailable("the gateway is still starting; try again in a moment", 1)
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_client_ip(request: Request, services: ServicesDep) -> str:
    peer = request.client.host if request.client else None
    return client_ip(peer, request.headers.get("x-forwarded-for"), services.settings.trusted_proxies)


ClientIp = Annotated[str, Depends(get_client_ip)]


async def get_current_user(
    services: ServicesDep,
    address: ClientIp,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> UserRecord:
    if credentials is None or not credentials.credentials:
        raise errors.NotAuthenticated()
    return await services.accounts.authenticate(credentials.credentials, client_ip=address)


CurrentUser = Annotated[UserRecord, Depends(get_current_user)]


async def get_admin_user(user: CurrentUser, services: ServicesDep, address: ClientIp, request: Request) -> UserRecord:
    if user.role != "admin":
        await services.audit.emit(
            SecurityEvent.ACCESS_FORBIDDEN,
            client_ip=address,
            user_id=user.id,
            email=user.email,
            detail=f"non-admin asked for {request.method} {request.url.path}",
            kubernetes_event=True,
            tenant=user.tenant,
        )
        raise errors.Forbidden("this needs the admin role")
    return user


AdminUser = Annotated[UserRecord, Depends(get_admin_user)]
