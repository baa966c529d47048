"""Registering, logging in, changing passwords and checking tokens: the account rules in one place.

Boundary: orchestrates storage calls and pure decisions; knows nothing about HTTP beyond raising
`errors.ApiError`s. The rules that must hold across replicas are all made of Kubernetes writes that
either succeed for exactly one caller (create → 409 for the rest) or fail on a stale
resourceVersion and get retried.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial

from pydantic import ValidationError

from storefleet_api import errors
from storefleet_api.config import Settings
from storefleet_api.errors import describe_validation_errors
from storefleet_api.services import limits
from storefleet_api.services.audit import SecurityAudit, SecurityEvent
from storefleet_api.services.identity import tenant_name_for, user_id_for
from storefleet_api.services.passwords import MalformedHashError, burn_verification_time, hash_password, verify_password
from storefleet_api.services.tokens import TokenError, TokenSigner
from storefleet_api.storage import kubernetes as k8s
from storefleet_api.storage.counters import CounterKind, CounterStore
from storefleet_api.storage.tenants import TenantStore, new_tenant
from storefleet_api.storage.users import UserRecord, UserStore
from storefleet_operator import contract
from storefleet_operator.models import Tenant

logger = logging.getLogger(__name__)

_TENANT_NAME_ATTEMPTS = 4
MAX_DISPLAY_NAME = 80  # the Tenant CRD's limit for spec.displayName


class AccountService:
    def __init__(
        self,
        *,
        settings: Settings,
        users: UserStore,
        tenants: TenantStore,
        counters: CounterStore,
        audit: SecurityAudit,
        signer: TokenSigner,
    ) -> None:
        self.settings = settings
        self.users = users
        self.tenants = tenants
        self.counters = counters
        self.audit = audit
        self.signer = signer

    def issue_token(self, user: UserRecord) -> str:
        return self.signer.issue(subject=user.id, role=user.role, tenant=user.tenant, generation=user.token_generation)

    # -- registration -------------------------------------------------------------------------

    async def register(self, *, email: str, password: str, display_name: str | None, client_ip: str) -> UserRecord:
        """Create the user's Secret and Tenant; the first user ever becomes admin (exactly once)."""
        if not self.settings.registration_open:
            raise errors.Forbidden("self-service registration is closed here; ask an admin for an account")
        s = self.settings
        verdict = await self.counters.update(
            CounterKind.REGISTER_RATE,
            client_ip,
            partial(limits.take_slot, limit=s.register_rate_limit, window_seconds=s.register_rate_window_seconds),
        )
        if not verdict.allowed:
            await self.audit.emit(SecurityEvent.REGISTRATION_RATE_LIMITED, client_ip=client_ip, email=email)
            raise errors.RateLimited(
                f"too many registrations from your address; try again in {verdict.retry_after} s", verdict.retry_after
            )
        password_hash = await asyncio.to_thread(hash_password, password)
        draft = UserRecord(
            id=user_id_for(email),
            email=email,
            password_hash=password_hash,
            role="tenant",
            tenant=tenant_name_for(email),
            created_at=datetime.now(UTC).replace(microsecond=0),
        )
        try:
            user = await self.users.create(draft)
        except k8s.Conflict:
            raise errors.Conflict("an account with this email exists already; log in instead") from None
        claimed_admin = False
        try:
            claimed_admin = await self.users.claim_first_admin(user)
            if claimed_admin:
                user = await self.users.replace(replace(user, role="admin"))
            tenant = await self._create_tenant(user, display_name or _shortened(email, MAX_DISPLAY_NAME))
            if tenant.metadata.name != user.tenant:
                user = await self.users.replace(replace(user, tenant=tenant.metadata.name))
        except BaseException:
            await self._undo_registration(user, claimed_admin)
            raise
        await self.audit.emit(
            SecurityEvent.USER_REGISTERED,
            client_ip=client_ip,
            user_id=user.id,
            email=email,
            detail=f"registered with tenant {user.tenant} as {user.role}",
            kubernetes_event=True,
            tenant=user.tenant,
        )
        if claimed_admin:
            await self.audit.emit(
                SecurityEvent.FIRST_ADMIN_CLAIMED,
                client_ip=client_ip,
                user_id=user.id,
                email=email,
                detail="first user: granted the admin role",
                kubernetes_event=True,
                tenant=user.tenant,
            )
        return user

    async def _create_tenant(self, user: UserRecord, display_name: str) -> Tenant:
        name = user.tenant
        for _ in range(_TENANT_NAME_ATTEMPTS):
            try:
                tenant = new_tenant(
                    name,
                    email=user.email,
                    display_name=display_name,
                    user_id=user.id,
                    store_limit=contract.DEFAULT_STORE_LIMIT,
                )
            except ValidationError as error:  # the Tenant schema is the operator's; say what it refused
                raise errors.Unprocessable(
                    f"the tenant cannot be created: {describe_validation_errors(error.errors())}"
                ) from None
            try:
                return await self.tenants.create(tenant)
            except k8s.Conflict:
                # The derived name is taken (a hash-suffix collision or a hand-made Tenant): never adopt
                # someone else's tenant, pick another suffix.
                name = tenant_name_for(user.email, salt=secrets.token_hex(4))
        raise errors.ServiceUnavailable("could not find a free tenant name; try again", 1)

    async def _undo_registration(self, user: UserRecord, claimed_admin: bool) -> None:
        """Remove what a failed registration created, so a retry starts clean."""
        try:
            if claimed_admin:
                await self.users.release_first_admin(user)
            await self.users.delete(user)
        except (k8s.StorageError, asyncio.CancelledError):
            logger.exception(
                "could not undo the failed registration of %s; delete Secret %s by hand", user.email, user.id
            )

    # -- login ---------------------------------------------------------------------------------

    async def login(self, *, email: str, password: str, client_ip: str) -> UserRecord:
        s = self.settings
        user_id = user_id_for(email)
        rate = await self.counters.update(
            CounterKind.LOGIN_RATE,
            client_ip,
            partial(limits.take_slot, limit=s.login_rate_limit, window_seconds=s.login_rate_window_seconds),
        )
        if not rate.allowed:
            await self.audit.emit(SecurityEvent.LOGIN_RATE_LIMITED, client_ip=client_ip, user_id=user_id, email=email)
            raise errors.RateLimited(
                f"too many login attempts from your address; try again in {rate.retry_after} s", rate.retry_after
            )
        if rate.limit_reached_now:
            await self.audit.emit(
                SecurityEvent.LOGIN_RATE_LIMITED,
                client_ip=client_ip,
                user_id=user_id,
                email=email,
                detail=f"login rate limit reached for {client_ip}",
                kubernetes_event=True,
            )
        await self._refuse_if_locked(user_id, email, client_ip)
        user = await self.users.get(user_id)
        if user is None:
            await asyncio.to_thread(burn_verification_time, password)  # as slow as a wrong password
        if user is None or not await _password_matches(password, user):
            await self._count_failure(user_id, email, client_ip, known_user=user is not None)
            raise errors.InvalidCredentials()
        await self.counters.reset(CounterKind.LOGIN_FAILURES, user_id)
        await self.audit.emit(SecurityEvent.LOGIN_SUCCEEDED, client_ip=client_ip, user_id=user_id, email=email)
        return user

    async def _refuse_if_locked(self, user_id: str, email: str, client_ip: str) -> None:
        verdict = limits.lock_verdict(await self.counters.read(CounterKind.LOGIN_FAILURES, user_id), time.time())
        if not verdict.allowed:
            await self.audit.emit(SecurityEvent.LOGIN_REFUSED_LOCKED, client_ip=client_ip, user_id=user_id, email=email)
            raise _locked(verdict.retry_after)

    async def _count_failure(self, user_id: str, email: str, client_ip: str, *, known_user: bool) -> None:
        s = self.settings
        verdict = await self.counters.update(
            CounterKind.LOGIN_FAILURES,
            user_id,
            partial(
                limits.record_failure,
                threshold=s.lockout_threshold,
                window_seconds=s.lockout_window_seconds,
                lockout_seconds=s.lockout_duration_seconds,
            ),
        )
        if verdict.limit_reached_now:
            await self.audit.emit(
                SecurityEvent.ACCOUNT_LOCKED,
                client_ip=client_ip,
                user_id=user_id,
                email=email,
                detail=f"locked for {verdict.retry_after} s after {s.lockout_threshold} failed logins",
                kubernetes_event=known_user,
            )
            raise _locked(verdict.retry_after)
        if not verdict.allowed:
            raise _locked(verdict.retry_after)
        await self.audit.emit(
            SecurityEvent.LOGIN_FAILED,
            client_ip=client_ip,
            user_id=user_id,
            email=email,
            detail="wrong password" if known_user else "no such account",
            kubernetes_event=known_user,
        )

    # -- password change and tokens --------------------------------------------------------------

    async def change_password(self, user: UserRecord, *, current: str, new: str, client_ip: str) -> UserRecord:
        await self._refuse_if_locked(user.id, user.email, client_ip)
        if not await _password_matches(current, user):
            await self._count_failure(user.id, user.email, client_ip, known_user=True)
            raise errors.Forbidden("the current password is wrong")
        if current == new:
            raise errors.Unprocessable("new_password: must differ from the current password")
        password_hash = await asyncio.to_thread(hash_password, new)
        changed = replace(
            user,
            password_hash=password_hash,
            password_changed_at=datetime.now(UTC),
            token_generation=user.token_generation + 1,
        )
        try:
            updated = await self.users.replace(changed)
        except k8s.Conflict:
            raise errors.Conflict("your account changed while this request ran; try again") from None
        await self.counters.reset(CounterKind.LOGIN_FAILURES, user.id)
        await self.audit.emit(
            SecurityEvent.PASSWORD_CHANGED,
            client_ip=client_ip,
            user_id=user.id,
            email=user.email,
            detail="password changed; older tokens no longer work",
            kubernetes_event=True,
            tenant=user.tenant,
        )
        return updated

    async def authenticate(self, token: str, *, client_ip: str) -> UserRecord:
        """The user a bearer token belongs to, or NotAuthenticated saying why not."""
        try:
            claims = self.signer.verify(token)
        except TokenError as error:
            await self.audit.emit(SecurityEvent.TOKEN_REJECTED, client_ip=client_ip, detail=str(error))
            raise errors.NotAuthenticated(str(error)) from None
        user = await self.users.get(claims.subject)
        if user is None:
            raise errors.NotAuthenticated("this account no longer exists")
        if claims.generation != user.token_generation:
            raise errors.NotAuthenticated("the password was changed after this token was issued; log in again")
        return user


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _locked(retry_after: int) -> errors.AccountLocked:
    return errors.AccountLocked(
        f"too many failed logins: this account is locked; try again in {retry_after} s", retry_after
    )


async def _password_matches(password: str, user: UserRecord) -> bool:
    try:
        return await asyncio.to_thread(verify_password, password, user.password_hash)
    except MalformedHashError:
        logger.error("user %s has an unreadable password hash; reset it by hand", user.id)
        await asyncio.to_thread(burn_verification_time, password)
        return False
