"""The Store resource (namespaced, storefleet.io/v1alpha1): spec, status, and pure status helpers.

This module is the source of truth for the Store schema: `crdgen` turns these classes into the CRD,
and their descriptions are what `kubectl explain store` prints, so they are written for that reader.
The CEL rules in ``json_schema_extra`` mirror the Python validators and share their messages, so
`kubectl apply` and the gateway reject the same mistakes with the same words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from storefleet_operator import contract
from storefleet_operator.models.common import (
    SPEC_CONFIG,
    STATUS_CONFIG,
    Condition,
    Count,
    DisplayName,
    Email,
    Generation,
    Message,
    ReasonText,
    Resource,
    StoreMetadata,
    Timestamp,
)
from storefleet_operator.models.errors import parse_body

Engine = Literal["woocommerce", "medusa"]
Theme = Literal["storefront", "astra"]
Phase = Literal["Requested", "Provisioning", "Ready", "Failed", "Deleting"]
StepState = Literal["Pending", "Running", "Succeeded", "Failed", "Skipped"]

HISTORY_LIMIT: Final = 20

ENGINE_IMMUTABLE: Final = "spec.engine is immutable: to change engines, create a new store and delete this one"
WOOCOMMERCE_ONLY: Final = "spec.woocommerce is only allowed when spec.engine is woocommerce"
MEDUSA_ONLY: Final = "spec.medusa is only allowed when spec.engine is medusa"


class WooCommerceOptions(BaseModel):
    """Options for a WooCommerce store. Only allowed when spec.engine is woocommerce."""

    model_config = SPEC_CONFIG

    theme: Theme = Field(
        default="storefront",
        description="WordPress theme activated at setup: storefront or astra. Defaults to storefront.",
    )


class MedusaStorefront(BaseModel):
    """The React storefront served in front of the Medusa backend."""

    model_config = SPEC_CONFIG

    enabled: bool = Field(
        default=True,
        description=(
            "Whether to run the storefront. When false only the Medusa API and admin are served. Defaults to true."
        ),
    )


class MedusaOptions(BaseModel):
    """Options for a Medusa store. Only allowed when spec.engine is medusa."""

    model_config = SPEC_CONFIG

    storefront: MedusaStorefront = Field(
        default=MedusaStorefront(),
        description="The React storefront. Defaults to enabled.",
    )


class StoreSpec(BaseModel):
    """The store you want: which engine, its name shown to shoppers, and engine options."""

    model_config = ConfigDict(
        **SPEC_CONFIG,
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": "!has(self.woocommerce) || self.engine == 'woocommerce'",
                    "message": WOOCOMMERCE_ONLY,
                    "fieldPath": ".woocommerce",
                    "reason": "FieldValueForbidden",
                },
                {
                    "rule": "!has(self.medusa) || self.engine == 'medusa'",
                    "message": MEDUSA_ONLY,
                    "fieldPath": ".medusa",
                    "reason": "FieldValueForbidden",
                },
            ]
        },
    )

    engine: Engine = Field(
        description=(
            "The e-commerce engine: woocommerce (WordPress + MariaDB) or medusa (MedusaJS v1 + "
            "PostgreSQL). Required. Immutable: to change engines, create a new store."
        ),
        json_schema_extra={"x-kubernetes-validations": [{"rule": "self == oldSelf", "message": ENGINE_IMMUTABLE}]},
    )
    display_name: DisplayName = Field(
        description=(
            "The store's name as shoppers see it (site title). 1-80 characters, any language, "
            "no control characters. Required; may be changed later."
        )
    )
    admin_email: Email | None = Field(
        default=None,
        description=(
            "Email address of the store's admin user. Optional; defaults to the tenant's email. "
            "Must look like name@domain.tld."
        ),
    )
    woocommerce: WooCommerceOptions | None = Field(
        default=None,
        description="WooCommerce options (theme). Only allowed when engine is woocommerce.",
    )
    medusa: MedusaOptions | None = Field(
        default=None,
        description="Medusa options (storefront). Only allowed when engine is medusa.",
    )
    suspend: bool | None = Field(
        default=None,
        description=(
            "true pauses reconciliation (Flux's convention): the operator changes nothing of the store "
            "and reports condition Suspended=True until it is set back to false or removed. Deletion "
            "still works while suspended."
        ),
    )

    @model_validator(mode="after")
    def _options_match_engine(self) -> StoreSpec:
        if self.woocommerce is not None and self.engine != "woocommerce":
            raise PydanticCustomError("engine_options", WOOCOMMERCE_ONLY)
        if self.medusa is not None and self.engine != "medusa":
            raise PydanticCustomError("engine_options", MEDUSA_ONLY)
        return self

    def woocommerce_options(self) -> WooCommerceOptions:
        """The WooCommerce options with defaults filled in (spec.woocommerce may be omitted)."""
        return self.woocommerce or WooCommerceOptions()

    def medusa_options(self) -> MedusaOptions:
        """The Medusa options with defaults filled in (spec.medusa may be omitted)."""
        return self.medusa or MedusaOptions()


class ReleaseStatus(BaseModel):
    """The Helm release that runs the store."""

    model_config = STATUS_CONFIG

    name: str = Field(description="Helm release name (the store's name), in status.namespace.")
    revision: Annotated[int, Field(ge=1)] | None = Field(default=None, description="Helm revision.")
    chart: str | None = Field(default=None, description="Chart name and version, e.g. ecommerce-store-0.1.0.")


class StepStatus(BaseModel):
    """Progress of one provisioning step, for the dashboard and `kubectl describe`."""

    model_config = STATUS_CONFIG

    name: str = Field(max_length=63, description="Step name in kebab-case, e.g. helm-install.")
    state: StepState = Field(description="Pending, Running, Succeeded, Failed or Skipped.")
    started_at: Timestamp | None = Field(default=None, description="When the step last started.")
    duration_ms: Count | None = Field(default=None, description="How long the step took, in milliseconds.")
    message: Message | None = Field(default=None, description="What the step is doing or why it failed.")
    attempts: Count = Field(default=0, description="How many times the step has been tried.")


class HistoryEntry(BaseModel):
    """One phase transition."""

    model_config = STATUS_CONFIG

    time: Timestamp = Field(description="When the transition happened.")
    phase: Phase = Field(description="The phase entered.")
    reason: ReasonText = Field(description="Why, in CamelCase (same vocabulary as condition reasons).")
    message: Message = Field(default="", description="Details for a person.")


class SetupStatus(BaseModel):
    """Where engine setup got to, so it resumes after an operator restart instead of starting over."""

    model_config = STATUS_CONFIG

    recipe_version: str | None = Field(
        default=None, description="Version of the setup recipe the completed steps belong to."
    )
    completed_steps: list[Annotated[str, Field(max_length=63)]] = Field(
        default_factory=list,
        json_schema_extra={"x-kubernetes-list-type": "set"},
        description="Names of setup steps already done for recipeVersion.",
    )


class QueueStatus(BaseModel):
    """The store waits for a provisioning slot (the operator limits concurrent provisioning)."""

    model_config = STATUS_CONFIG

    position: Annotated[int, Field(ge=1)] = Field(
        description="1 means next to start. Exact up to 10; further back an upper bound (20, 50, 100, 200, "
        "500, 1000, ...), so the status changes a few times on the way to the front, not each time the line moves."
    )


class StoreStatus(BaseModel):
    """What the operator observed. Written only by the operator (status subresource)."""

    model_config = STATUS_CONFIG

    phase: Phase | None = Field(
        default=None, description="Lifecycle phase: Requested, Provisioning, Ready, Failed or Deleting."
    )
    observed_generation: Generation | None = Field(
        default=None, description="The .metadata.generation this status describes."
    )
    conditions: list[Condition] = Field(
        default_factory=list,
        json_schema_extra={"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"]},
        description="Ready, Reconciling and Stalled (kstatus), plus Released, EngineConfigured and Simulated.",
    )
    url: str | None = Field(default=None, description="The store's public URL.")
    admin_url: str | None = Field(default=None, description="The store's admin URL.")
    storefront_url: str | None = Field(
        default=None, description="The Medusa storefront URL, when the storefront is enabled."
    )
    namespace: str | None = Field(default=None, description="The namespace the store's workloads run in.")
    simulated: bool | None = Field(
        default=None,
        description=(
            "True when the store's pods were scheduled on a simulated node (kwok): they never run and "
            "nothing is served, e.g. WooCommerce on a machine that cannot build its images. False when "
            "every pod runs on a real node. Unset until the workloads were first rolled out."
        ),
    )
    release: ReleaseStatus | None = Field(default=None, description="The Helm release running the store.")
    credentials_secret: str | None = Field(
        default=None,
        description="Name of the Secret (in status.namespace) holding the store's admin credentials.",
    )
    steps: list[StepStatus] = Field(
        default_factory=list,
        json_schema_extra={"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
        description="Provisioning steps with state and timing, in order.",
    )
    history: list[HistoryEntry] = Field(
        default_factory=list,
        max_length=HISTORY_LIMIT,
        description=f"The last {HISTORY_LIMIT} phase transitions, oldest first.",
    )
    setup: SetupStatus | None = Field(default=None, description="Engine setup resume point.")
    failures: Count = Field(
        default=0, description="Failed attempts since the last success, spec change or retry request."
    )
    last_handled_requested_at: str | None = Field(
        default=None,
        description=f"The last value of the {contract.ANNOTATION_REQUESTED_AT} annotation acted upon.",
    )
    queue: QueueStatus | None = Field(default=None, description="Set while waiting for a provisioning slot.")


class Store(Resource):
    """An isolated e-commerce store (WooCommerce or Medusa) that the storefleet operator provisions in
    its own namespace: a Helm release, its workloads, engine setup and public URLs. Create it in your
    tenant namespace; delete it to remove the store and all its data."""

    model_config = STATUS_CONFIG

    api_version: Literal["storefleet.io/v1alpha1"] = "storefleet.io/v1alpha1"
    kind: Literal["Store"] = "Store"
    metadata: StoreMetadata
    spec: StoreSpec
    status: StoreStatus = Field(default_factory=StoreStatus)

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Store:
        """Parse a Store from a Kubernetes object body; raise InvalidResourceError saying what is wrong."""
        return parse_body(cls, body)


def append_history(
    history: Sequence[HistoryEntry], entry: HistoryEntry, limit: int = HISTORY_LIMIT
) -> list[HistoryEntry]:
    """Return ``history`` with ``entry`` appended, keeping only the newest ``limit`` entries."""
    if limit < 1:
        raise ValueError("history limit must be at least 1")
    return [*history, entry][-limit:]
