"""/api/v1/auth: register, login, who am I, change password."""

from __future__ import annotations

from fastapi import APIRouter, status

from storefleet_api.dependencies import ClientIp, CurrentUser, ServicesDep
from storefleet_api.models.auth import (
    LoginRequest,
    PasswordChangeRequest,
    RegisterRequest,
    TokenResponse,
    UserOut,
)
from storefleet_api.models.common import error_responses
from storefleet_api.routers import API_PREFIX
from storefleet_api.storage.users import UserRecord

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["auth"])


def user_out(user: UserRecord) -> UserOut:
    return UserOut(id=user.id, email=user.email, role=user.role, tenant=user.tenant, created_at=user.created_at)


def token_response(services: ServicesDep, user: UserRecord) -> TokenResponse:
    return TokenResponse(
        access_token=services.accounts.issue_token(user),
        expires_in=services.settings.token_ttl_seconds,
        user=user_out(user),
    )


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenResponse,
    responses=error_responses(403, 409, 422, 429, 503),
    summary="Create an account and its tenant; the very first account becomes the admin",
)
async def register(body: RegisterRequest, services: ServicesDep, address: ClientIp) -> TokenResponse:
    user = await services.accounts.register(
        email=body.email, password=body.password, display_name=body.display_name, client_ip=address
    )
    return token_response(services, user)


@router.post(
    "/login",
    response_model=TokenResponse,
    responses=error_responses(401, 422, 423, 429, 503),
    summary="Exchange email and password for an access token",
)
async def login(body: LoginRequest, services: ServicesDep, address: ClientIp) -> TokenResponse:
    user = await services.accounts.login(email=body.email, password=body.password, client_ip=address)
    return token_response(services, user)


@router.get("/me", response_model=UserOut, responses=error_responses(401), summary="The account behind the token")
async def me(user: CurrentUser) -> UserOut:
    return user_out(user)


@router.patch(
    "/password",
    response_model=TokenResponse,
    responses=error_responses(401, 403, 409, 422, 423),
    summary="Change the password; older tokens stop working and a fresh one is returned",
)
async def change_password(
    body: PasswordChangeRequest, user: CurrentUser, services: ServicesDep, address: ClientIp
) -> TokenResponse:
    updated = await services.accounts.change_password(
        user, current=body.current_password, new=body.new_password, client_ip=address
    )
    return token_response(services, updated)
