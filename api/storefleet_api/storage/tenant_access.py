"""Whether Kubernetes RBAC lets a tenant read its Stores: asked of Kubernetes, remembered briefly.

Boundary: Kubernetes I/O only (SelfSubjectAccessReviews). The question is asked *as the tenant's
`storefleet-tenant` ServiceAccount*, through the same impersonation as every tenant API call, so the
answer is the one the API server would give that call: RBAC, not gateway code, judges tenant reads
served from the store cache. No new permission is needed: every authenticated identity may ask
about itself, and an impersonation the operator has not granted (or has taken back) is refused,
which counts as "no".

"Yes" is remembered for `ttl_seconds` per (tenant, verb); "no" and errors never are, so a caller
told "no" reads through the API (which refuses or answers for itself) and a tenant granted access a
moment ago is not held back. Concurrent questions about the same (tenant, verb) share one review.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Literal

from kubernetes.client import (
    AuthorizationV1Api,
    V1ResourceAttributes,
    V1SelfSubjectAccessReview,
    V1SelfSubjectAccessReviewSpec,
)

from storefleet_api.storage.kubernetes import KubernetesClients, StorageError, call
from storefleet_operator import contract, naming

logger = logging.getLogger(__name__)

ReadVerb = Literal["get", "list"]
Key = tuple[str, ReadVerb]


class TenantAccess:
    """RBAC's answer to "may tenant t get/list Stores in tenant-t?", cached for `ttl_seconds`."""

    def __init__(
        self, clients: KubernetesClients, *, ttl_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clients = clients
        self._ttl = ttl_seconds
        self._clock = clock
        self._allowed_until: dict[Key, float] = {}
        self._asking: dict[Key, asyncio.Future[bool]] = {}

    async def may_read_stores(self, tenant: str, verb: ReadVerb) -> bool:
        key = (tenant, verb)
        if self._allowed_until.get(key, 0.0) > self._clock():
            return True
        pending = self._asking.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._review(tenant, verb))
            self._asking[key] = pending
            pending.add_done_callback(lambda _: self._asking.pop(key, None))
        return await asyncio.shield(pending)  # one caller giving up must not cancel the others' answer

    async def _review(self, tenant: str, verb: ReadVerb) -> bool:
        asked_at = self._clock()
        review = V1SelfSubjectAccessReview(
            spec=V1SelfSubjectAccessReviewSpec(
                resource_attributes=V1ResourceAttributes(
                    group=contract.GROUP, resource=contract.STORES, verb=verb, namespace=naming.tenant_namespace(tenant)
                )
            )
        )
        api = AuthorizationV1Api(self._clients.client_for_tenant(tenant))
        try:
            answer = await call(
                api.create_self_subject_access_review, review, _request_timeout=self._clients.request_timeout
            )
        except StorageError as error:  # impersonation refused, API unreachable: read through the API
            logger.debug("access review for tenant %s (%s stores) failed: %s", tenant, verb, error)
            return False
        allowed = bool(answer.status and answer.status.allowed)
        if allowed:
            # Counted from when we asked, not when the answer came: a slow answer shortens the TTL.
            self._allowed_until[(tenant, verb)] = asked_at + self._ttl
        return allowed
