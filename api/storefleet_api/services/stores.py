"""Stores for the people who own them: create, list, read, delete, retry, events, credentials.

Boundary: orchestrates storage calls and the pure rules in `store_rules`/`store_names`/`limits`;
raises `errors.ApiError`s and knows nothing else about HTTP.

Who acts as whom. A tenant's requests run as the tenant's `storefleet-tenant` ServiceAccount
(impersonation), so Kubernetes RBAC confines them to `tenant-<t>` and the ResourceQuota caps their
stores even if this code had a bug. Admins read with the gateway's own identity (every tenant), and
write as the tenant they act for: the gateway's ServiceAccount never writes Stores itself.
Store ids are names, always looked up in the scope's one namespace; anything Kubernetes hides from
the caller (403) answers exactly like a store that does not exist (404), so nothing leaks.

Reads come from the watch-fed store cache. A tenant's read is served from it only after Kubernetes
RBAC has said that tenant's ServiceAccount may get/list Stores in its namespace (`TenantAccess`, a
SelfSubjectAccessReview as the tenant, trusted for `tenant_access_ttl_seconds`); otherwise, and
whenever the cache is not synced or lacks the store, the read goes to the API as the tenant. Every
write puts what Kubernetes returned into the cache before answering, so a tenant reads its own
writes at once.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from pydantic import ValidationError

from storefleet_api import errors
from storefleet_api.config import Settings
from storefleet_api.logs import request_id_var
from storefleet_api.models.stores import StoreCreateRequest, phase_of
from storefleet_api.services import limits, store_rules
from storefleet_api.services.store_names import StoreNameError
from storefleet_api.services.store_requests import StoreRequest, StoreRequestLog
from storefleet_api.storage import kubernetes as k8s
from storefleet_api.storage.counters import CounterKind, CounterStore
from storefleet_api.storage.events import EventRecorder
from storefleet_api.storage.store_cache import StoreCache
from storefleet_api.storage.stores import EventRecord, StoreRepository
from storefleet_api.storage.tenant_access import ReadVerb, TenantAccess
from storefleet_api.storage.tenants import TenantStore
from storefleet_api.storage.users import UserRecord
from storefleet_operator import contract, naming
from storefleet_operator.models import Phase, Store

logger = logging.getLogger(__name__)

MAX_LIST_CALLS = 5
"""Kubernetes pages fetched to fill one filtered page; bounds the latency of a sparse filter."""
CACHE_TOKEN_PREFIX = "cache:"  # noqa: S105 -- a page-token prefix, not a secret
"""Continue tokens of pages served from the cache (the API's own tokens never start like this)."""

SETUP_RETRY_SECONDS = 5


@dataclass(frozen=True)
class StoreScope:
    """The tenant a request acts in, and the identities it reads and writes with."""

    user: UserRecord
    tenant: str
    namespace: str
    reader: StoreRepository
    writer: StoreRepository

    @property
    def as_admin(self) -> bool:
        return self.user.role == "admin"

    @property
    def is_owner(self) -> bool:
        return self.user.tenant == self.tenant

    @property
    def where(self) -> str:
        return "your tenant" if self.is_owner else f"tenant {self.tenant}"


class StoreService:
    def __init__(
        self,
        *,
        settings: Settings,
        clients: k8s.KubernetesClients,
        counters: CounterStore,
        tenants: TenantStore,
        recorder: EventRecorder | None,
    ) -> None:
        self.settings = settings
        self.clients = clients
        self.counters = counters
        self.tenants = tenants
        self.requests = StoreRequestLog(recorder)
        self.gateway = StoreRepository(clients.admin, clients.request_timeout)
        self.cache = StoreCache(clients)
        self.access = TenantAccess(clients, ttl_seconds=settings.tenant_access_ttl_seconds)

    def tenant_repository(self, tenant: str) -> StoreRepository:
        return StoreRepository(self.clients.client_for_tenant(tenant), self.clients.request_timeout)

    def scope(self, user: UserRecord, tenant: str | None = None) -> StoreScope:
        """Tenants act in their own tenant only; admins in any (their own by default)."""
        target = tenant or user.tenant
        if target != user.tenant and user.role != "admin":
            raise errors.Forbidden("only admins may act in another tenant; leave out ?tenant=")
        try:
            namespace = naming.tenant_namespace(target)
        except naming.InvalidNameError as error:
            raise errors.Unprocessable(f"tenant: {error}") from None
        writer = self.tenant_repository(target)
        reader = self.gateway if user.role == "admin" else writer
        return StoreScope(user=user, tenant=target, namespace=namespace, reader=reader, writer=writer)

    # -- reading -----------------------------------------------------------------------------------

    async def get(self, scope: StoreScope, store_id: str) -> Store:
        if not store_rules.store_id_is_valid(store_id):
            raise self._not_found(scope, store_id)
        if self.cache.synced and await self._may_read_cache(scope, "get"):
            cached = self.cache.get(scope.namespace, store_id)
            if cached is not None:
                return cached
        try:  # not (yet) in the cache: made by another replica a moment ago, or not there at all
            return self.cache.remember(await scope.reader.get(scope.namespace, store_id))
        except (k8s.NotFound, k8s.PermissionDenied):
            raise self._not_found(scope, store_id) from None

    async def list_stores(
        self,
        scope: StoreScope | None,
        *,
        phase: Phase | None,
        engine: str | None,
        limit: int,
        continue_token: str | None,
        text: str | None = None,
    ) -> tuple[list[Store], str | None]:
        """A page of the scope's stores (every tenant's when `scope` is None: admins only).

        Filters run here (Stores have no field selectors for them), over as many Kubernetes pages
        as it takes to fill the page, within MAX_LIST_CALLS; each call asks for no more than the
        page still needs, so no store is ever skipped between pages.
        """
        repository = self.gateway if scope is None else scope.reader
        namespace = None if scope is None else scope.namespace
        cache_token = (continue_token or "").startswith(CACHE_TOKEN_PREFIX)
        # A page that began in the cache goes on there; an API token goes on in the API.
        from_cache = cache_token if continue_token else self.cache.synced
        if from_cache and (scope is None or await self._may_read_cache(scope, "list")):
            return self._cached_page(
                namespace, phase=phase, engine=engine, limit=limit, token=continue_token, text=text
            )
        if cache_token:
            continue_token = None  # RBAC said no: the API, asked afresh, answers for itself
        found: list[Store] = []
        token = continue_token
        for _ in range(MAX_LIST_CALLS):
            try:
                page = await repository.page(namespace, limit=limit - len(found), continue_token=token)
            except k8s.PermissionDenied:
                raise self._tenant_not_ready() from None
            found += [
                store for store in page.stores if store_rules.matches(store, phase=phase, engine=engine, text=text)
            ]
            token = page.continue_token
            if token is None or len(found) >= limit:
                break
        return found, token

    def _cached_page(
        self,
        namespace: str | None,
        *,
        phase: Phase | None,
        engine: str | None,
        limit: int,
        token: str | None,
        text: str | None,
    ) -> tuple[list[Store], str | None]:
        """A page from the watch-fed cache, in the API's order; the token names the last store shown."""
        after = _decode_token(token)
        found: list[Store] = []
        candidates = self.cache.in_namespace(namespace)
        for index, store in enumerate(candidates):
            if after is not None and (store.metadata.namespace or "", store.metadata.name) <= after:
                continue
            if store_rules.matches(store, phase=phase, engine=engine, text=text):
                found.append(store)
            if len(found) >= limit:
                more = index + 1 < len(candidates)
                return found, _encode_token(store) if more else None
        return found, None

    def counts(self) -> dict[str, int] | None:
        """Stores per namespace from the watch-fed cache, or None until it has synced."""
        return self.cache.counts() if self.cache.synced else None

    async def events(self, scope: StoreScope, store_id: str) -> tuple[Store, list[EventRecord]]:
        """The store and its Events, both read as the caller (a tenant may read Events in its namespace)."""
        store = await self.get(scope, store_id)
        selector = f"involvedObject.kind=Store,involvedObject.name={store.metadata.name}"
        try:
            records = await scope.reader.events(scope.namespace, field_selector=selector, max_items=500)
        except k8s.PermissionDenied:
            raise self._tenant_not_ready() from None
        # Events of an earlier store with the same name (deleted, then created again) are not this one's.
        return store, [record for record in records if record.uid in ("", store.metadata.uid)]

    async def credentials(self, scope: StoreScope, store_id: str) -> tuple[Store, dict[str, str]]:
        """The store's admin login, for its owner only, read as the owner's tenant."""
        if not scope.is_owner:
            await self.get(scope, store_id)  # 404 for a store that does not exist, 403 for one that does
            raise errors.Forbidden(
                "store credentials are shown to the store's owner only; a cluster admin can read the "
                "Secret named in the store's status.credentialsSecret with kubectl if they must"
            )
        store = await self.get(scope, store_id)
        status = store.status
        expected_namespace = naming.store_namespace(store.metadata.namespace, store.metadata.name)
        if not status.credentials_secret or not status.namespace or store.metadata.deletion_timestamp:
            raise errors.Conflict(f"the store's credentials are not available while it is {phase_of(store)}")
        if status.namespace != expected_namespace:
            logger.error("Store %s/%s reports an unexpected namespace %s", scope.namespace, store_id, status.namespace)
            raise errors.Conflict("the store's credentials are not available; an admin must check its status")
        try:
            data = await scope.writer.read_secret(status.namespace, status.credentials_secret)
        except (k8s.NotFound, k8s.PermissionDenied):
            raise errors.Conflict("the store's credentials are not ready yet; try again in a moment") from None
        if "admin-password" not in data or "admin-username" not in data:
            raise errors.Conflict("the store's credentials are incomplete; the operator is still writing them")
        await self.requests.record(scope.user, scope.tenant, store, StoreRequest.CREDENTIALS_READ, "credentials read")
        return store, data

    # -- writing -----------------------------------------------------------------------------------

    async def create(self, scope: StoreScope, request: StoreCreateRequest) -> Store:
        """Write the Store in the scope's namespace as the tenant; nothing is written when refused."""
        try:
            store = store_rules.new_store(
                request,
                namespace=scope.namespace,
                user_id=scope.user.id,
                request_id=request_id_var.get(),
                extra_blocked_words=self.settings.extra_blocked_store_words,
            )
        except StoreNameError as error:
            raise errors.Unprocessable(f"name: {error}") from None
        except ValidationError as error:
            raise errors.Unprocessable(errors.describe_validation_errors(error.errors())) from None
        if not scope.is_owner and await self.tenants.get(scope.tenant) is None:
            raise errors.NotFound(f"no tenant named {scope.tenant!r}")
        cooling = not scope.as_admin and self.settings.store_create_cooldown_seconds > 0
        if cooling:
            counter = await self.counters.read(CounterKind.STORE_COOLDOWN, scope.tenant)
            verdict = limits.cooldown_verdict(counter, datetime.now(UTC).timestamp())
            if not verdict.allowed:
                raise errors.RateLimited(
                    f"you created a store moments ago; wait {verdict.retry_after} s before creating another",
                    verdict.retry_after,
                )
        created = self.cache.remember(await self._write_new(scope, store))
        if cooling:
            await self._start_cooldown(scope.tenant)
        await self.requests.record(
            scope.user, scope.tenant, created, StoreRequest.REQUESTED, f"{created.spec.engine} store requested"
        )
        return created

    async def _write_new(self, scope: StoreScope, store: Store) -> Store:
        name = store.metadata.name
        try:
            return await scope.writer.create(store)
        except k8s.Conflict:
            raise errors.Conflict(
                f"a store named {name!r} exists already in {scope.where} (a store being deleted keeps its "
                "name until it is gone); choose another name"
            ) from None
        except k8s.PermissionDenied as error:
            refusal = store_rules.quota_refusal(str(error))
            if refusal is not None:
                tenant = await self.tenants.get(scope.tenant)
                raise errors.Conflict(refusal.describe(tenant.spec.store_limit if tenant else None)) from None
            if store_rules.quota_not_counted_yet(str(error)):
                raise self._tenant_not_ready() from None
            if store_rules.namespace_terminating(str(error)):
                raise errors.Conflict(f"{scope.where} is being deleted; no stores can be created in it") from None
            raise self._tenant_not_ready(error) from None
        except k8s.NotFound:
            raise self._tenant_not_ready() from None

    async def _start_cooldown(self, tenant: str) -> None:
        seconds = self.settings.store_create_cooldown_seconds
        try:
            await self.counters.update(
                CounterKind.STORE_COOLDOWN, tenant, partial(limits.start_cooldown, seconds=seconds)
            )
        except k8s.StorageError as error:  # the store exists: failing the request now would mislead
            logger.warning("could not start the creation cooldown of tenant %s: %s", tenant, error)

    async def delete(self, scope: StoreScope, store_id: str) -> Store:
        """Ask for deletion in any phase (that is how a provisioning store is cancelled)."""
        store = await self.get(scope, store_id)
        if store.metadata.deletion_timestamp is not None:
            return store  # asked before: deleting is idempotent
        try:
            remaining = await scope.writer.delete(store)
        except k8s.PermissionDenied:
            raise self._not_found(scope, store_id) from None
        await self.requests.record(
            scope.user, scope.tenant, store, StoreRequest.DELETION_REQUESTED, "deletion requested"
        )
        if remaining is not None:
            return self.cache.remember(remaining)
        self.cache.forget(scope.namespace, store_id)
        return store.model_copy(update={"metadata": store.metadata.model_copy(update={"deletion_timestamp": _now()})})

    async def retry(self, scope: StoreScope, store_id: str) -> Store:
        """Ask the operator to reconcile now, resetting its failure count (any phase but Deleting)."""
        store = await self.get(scope, store_id)
        if store.metadata.deletion_timestamp is not None:
            raise errors.Conflict(
                f"store {store_id!r} is being deleted; a retry would not bring it back. Create it again once it is gone"
            )
        # Any new value asks again (the operator compares it with the last one it handled), so two
        # retries in the same second must differ: microseconds.
        requested_at = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        annotations = {contract.ANNOTATION_REQUESTED_AT: requested_at}
        request_id = request_id_var.get()
        if request_id:
            annotations[contract.ANNOTATION_REQUEST_ID] = request_id
        try:
            patched = self.cache.remember(await scope.writer.annotate(store, annotations))
        except (k8s.NotFound, k8s.PermissionDenied):
            raise self._not_found(scope, store_id) from None
        await self.requests.record(
            scope.user, scope.tenant, patched, StoreRequest.RETRY_REQUESTED, f"retry requested while {phase_of(store)}"
        )
        return patched

    # -- helpers -----------------------------------------------------------------------------------

    async def _may_read_cache(self, scope: StoreScope, verb: ReadVerb) -> bool:
        """Admins read everything with the gateway's identity; a tenant when RBAC says it may."""
        return scope.as_admin or await self.access.may_read_stores(scope.tenant, verb)

    @staticmethod
    def _not_found(scope: StoreScope, store_id: str) -> errors.NotFound:
        shown = store_id if len(store_id) <= 63 else store_id[:60] + "..."
        return errors.NotFound(f"no store named {shown!r} in {scope.where}")

    @staticmethod
    def _tenant_not_ready(error: Exception | None = None) -> errors.ServiceUnavailable:
        if error is not None:
            logger.warning("tenant access refused by Kubernetes: %s", error)
        return errors.ServiceUnavailable(
            "your tenant's namespace is still being set up; try again in a few seconds", SETUP_RETRY_SECONDS
        )


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _encode_token(store: Store) -> str:
    key = f"{store.metadata.namespace or ''}/{store.metadata.name}"
    return CACHE_TOKEN_PREFIX + base64.urlsafe_b64encode(key.encode()).decode()


def _decode_token(token: str | None) -> tuple[str, str] | None:
    if not token or not token.startswith(CACHE_TOKEN_PREFIX):
        return None
    try:
        namespace, _, name = base64.urlsafe_b64decode(token[len(CACHE_TOKEN_PREFIX) :]).decode().partition("/")
    except (ValueError, UnicodeDecodeError):
        raise errors.Unprocessable("continue: not a token this gateway gave out") from None
    return namespace, name
