"""Tenant custom resources (cluster-scoped, storefleet.io/v1alpha1): create one per registered user,
read them for admins.

Boundary: Kubernetes I/O only. Bodies are built and parsed with the operator's models
(`storefleet_operator.models.Tenant`, the source of the CRD schema), so the gateway cannot write a
Tenant the CRD would refuse or read one differently from the operator. The operator turns a Tenant
into a namespace, quota and RBAC; the gateway writes the spec and reads what status reports.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from kubernetes.client import CustomObjectsApi

from storefleet_api.storage.kubernetes import KubernetesClients, NotFound, call
from storefleet_api.storage.users import MANAGED_BY
from storefleet_operator import contract
from storefleet_operator.models import InvalidResourceError, Owner, Tenant, TenantMetadata, TenantSpec

logger = logging.getLogger(__name__)

PLURAL = contract.TENANTS


def new_tenant(name: str, *, email: str, display_name: str, user_id: str, store_limit: int) -> Tenant:
    """The Tenant the gateway creates at registration: the user owns it by email."""
    return Tenant(
        metadata=TenantMetadata(name=name, labels={contract.LABEL_USER_ID: user_id, **MANAGED_BY}),
        spec=TenantSpec(
            owners=[Owner(kind="User", name=email)],
            display_name=display_name,
            store_limit=store_limit,
            email=email,
        ),
    )


class TenantStore:
    """Tenants, read and written as the gateway itself."""

    def __init__(self, clients: KubernetesClients) -> None:
        self._api = CustomObjectsApi(clients.admin)
        self._timeout = clients.request_timeout

    async def create(self, tenant: Tenant) -> Tenant:
        """Create a Tenant; Conflict when the name is taken."""
        created = await call(
            self._api.create_cluster_custom_object,
            contract.GROUP,
            contract.VERSION,
            PLURAL,
            tenant.manifest(),
            _request_timeout=self._timeout,
        )
        return Tenant.from_body(cast(dict[str, Any], created))

    async def get(self, name: str) -> Tenant | None:
        try:
            found = await call(
                self._api.get_cluster_custom_object,
                contract.GROUP,
                contract.VERSION,
                PLURAL,
                name,
                _request_timeout=self._timeout,
            )
        except NotFound:
            return None
        return Tenant.from_body(cast(dict[str, Any], found))

    async def list(self, *, limit: int, continue_token: str | None = None) -> tuple[list[Tenant], str | None]:
        """One page of Tenants and the token for the next page (None on the last page)."""
        page = cast(
            dict[str, Any],
            await call(
                self._api.list_cluster_custom_object,
                contract.GROUP,
                contract.VERSION,
                PLURAL,
                limit=limit,
                _continue=continue_token or None,
                _request_timeout=self._timeout,
            ),
        )
        tenants = []
        for item in page.get("items", []):
            try:
                tenants.append(Tenant.from_body(item))
            except InvalidResourceError as error:  # written by hand past the CRD's schema: skip, say so
                logger.warning("skipping unreadable Tenant %s: %s", item.get("metadata", {}).get("name"), error)
        return tenants, (page.get("metadata") or {}).get("continue") or None
