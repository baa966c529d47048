"""The Tenant resource (cluster-scoped, storefleet.io/v1alpha1): who owns a tenant and its store cap.

Source of truth for the Tenant CRD schema (see `crdgen`); descriptions are written for
`kubectl explain tenant` readers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from storefleet_operator import contract, naming
from storefleet_operator.models.common import (
    NO_CONTROL_CHARS,
    SPEC_CONFIG,
    STATUS_CONFIG,
    Condition,
    Count,
    DisplayName,
    Email,
    Generation,
    Resource,
    TenantMetadata,
)
from storefleet_operator.models.errors import parse_body


class Owner(BaseModel):
    """A Kubernetes user or group given access to the tenant's namespace and stores."""

    model_config = SPEC_CONFIG

    kind: Literal["User", "Group"] = Field(description="User or Group, as in an RBAC subject.")
    name: str = Field(
        min_length=1,
        max_length=253,
        pattern=NO_CONTROL_CHARS,
        description="The user or group name as the API server authenticates it (e.g. an email).",
    )


class TenantSpec(BaseModel):
    """Who owns the tenant and how many stores it may have."""

    model_config = SPEC_CONFIG

    owners: list[Owner] = Field(
        min_length=1,
        max_length=20,
        json_schema_extra={"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["kind", "name"]},
        description="Users and groups that manage this tenant's stores. At least one.",
    )
    display_name: DisplayName = Field(
        description="The tenant's name as people see it. 1-80 characters, no control characters. Required."
    )
    store_limit: Annotated[int, Field(ge=0, le=contract.MAX_STORE_LIMIT)] = Field(
        default=contract.DEFAULT_STORE_LIMIT,
        description=(
            f"Maximum number of stores, enforced by a ResourceQuota in the tenant namespace. Failed "
            f"stores count: delete them to free a slot. 0-{contract.MAX_STORE_LIMIT}; defaults to "
            f"{contract.DEFAULT_STORE_LIMIT}."
        ),
    )
    email: Email | None = Field(
        default=None, description="Contact email; the default admin email of the tenant's stores. Optional."
    )


class TenantStatus(BaseModel):
    """What the operator observed. Written only by the operator (status subresource)."""

    model_config = STATUS_CONFIG

    namespace: str | None = Field(default=None, description="The tenant's namespace (tenant-<name>).")
    observed_generation: Generation | None = Field(
        default=None, description="The .metadata.generation this status describes."
    )
    conditions: list[Condition] = Field(
        default_factory=list,
        json_schema_extra={"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"]},
        description="Ready (kstatus) and NamespaceReady.",
    )
    store_count: Count | None = Field(default=None, description="Stores in the tenant namespace, any phase.")
    store_limit: Count | None = Field(default=None, description="The store limit currently enforced.")


class Tenant(Resource):
    """A tenant of the storefleet platform: owners who get a namespace tenant-<name> to create Store
    resources in, with a cap on how many stores they may have."""

    model_config = STATUS_CONFIG

    api_version: Literal["storefleet.io/v1alpha1"] = "storefleet.io/v1alpha1"
    kind: Literal["Tenant"] = "Tenant"
    metadata: TenantMetadata
    spec: TenantSpec
    status: TenantStatus = Field(default_factory=TenantStatus)

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Tenant:
        """Parse a Tenant from a Kubernetes object body; raise InvalidResourceError saying what is wrong."""
        return parse_body(cls, body)

    @property
    def namespace(self) -> str:
        """The tenant's namespace, derived from its name."""
        return naming.tenant_namespace(self.metadata.name)
