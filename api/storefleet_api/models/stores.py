"""Bodies of the /api/v1/stores endpoints (and the admin store list), and how a Store becomes one.

A store's `id` is its name: names are unique within a tenant, and every /stores/{id} URL is
resolved inside the caller's own tenant namespace only, so an id never reaches another tenant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from storefleet_api.models.people import clean_display_name
from storefleet_operator import contract, naming
from storefleet_operator.models import READY, Engine, Phase, Store, Theme, get_condition

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=False)


class StoreCreateRequest(BaseModel):
    """A new store. There is no password field: the operator generates the store's admin password
    and keeps it in a Secret only the owner can read (GET /stores/{id}/credentials)."""

    model_config = _STRICT

    name: str = Field(
        min_length=1,
        max_length=63,  # refuse 10 KB names before any rule runs; the real limit (40) is checked next
        description="3-40 characters: lowercase letters, digits and '-', starting with a letter; "
        "unique in your tenant; becomes the store's id",
        examples=["coffee-roasters"],
    )
    engine: Engine = Field(description="woocommerce (WordPress + MariaDB) or medusa (MedusaJS v1 + PostgreSQL)")
    display_name: str | None = Field(
        default=None,
        max_length=80,
        validation_alias=AliasChoices("display_name", "displayName"),
        description="The name shoppers see; defaults to the store's name",
        examples=["Coffee Roasters"],
    )
    theme: Theme | None = Field(default=None, description="WooCommerce only: storefront (default) or astra")
    storefront: StrictBool | None = Field(
        default=None, description="Medusa only: serve the React storefront (default true)"
    )

    @field_validator("display_name")
    @classmethod
    def _display_name(cls, value: str | None) -> str | None:
        # Stricter than the CRD (which refuses control characters only): no invisible formatting
        # characters such as a right-to-left override in a name shoppers read, as for tenants.
        return None if value is None else clean_display_name(value)

    @model_validator(mode="after")
    def _options_match_engine(self) -> StoreCreateRequest:
        if self.theme is not None and self.engine != "woocommerce":
            raise ValueError("theme: only WooCommerce stores have a theme; leave it out for medusa")
        if self.storefront is not None and self.engine != "medusa":
            raise ValueError("storefront: only Medusa stores have a separate storefront; leave it out for woocommerce")
        return self


class ConditionOut(BaseModel):
    type: str
    status: Literal["True", "False", "Unknown"]
    reason: str
    message: str
    last_transition_time: datetime


class StepOut(BaseModel):
    name: str
    state: str
    started_at: datetime | None = None
    duration_ms: int | None = None
    message: str | None = None


class StoreOut(BaseModel):
    id: str = Field(description="The store's name; use it in /api/v1/stores/{id}")
    name: str
    tenant: str | None = Field(description="The tenant owning the store (None outside tenant namespaces)")
    engine: Engine
    display_name: str
    theme: Theme | None = Field(default=None, description="WooCommerce stores only")
    storefront: bool | None = Field(default=None, description="Medusa stores only: whether the storefront runs")
    phase: Phase = Field(description="Requested, Provisioning, Ready, Failed or Deleting")
    ready: Literal["True", "False", "Unknown"] | None = Field(description="The Ready condition, when reported")
    reason: str | None = Field(default=None, description="Why the store is (not) ready, in CamelCase")
    message: str | None = Field(default=None, description="What is happening or what went wrong, for a person")
    url: str | None = None
    admin_url: str | None = None
    storefront_url: str | None = None
    store_namespace: str | None = Field(default=None, description="The namespace the store's workloads run in")
    simulated: bool | None = Field(
        default=None,
        description="True when the store's pods run on a simulated node and nothing is served; "
        "null until the operator has seen where they run",
    )
    deleting: bool = Field(description="Deletion was requested; the store goes away once cleaned up")
    queue_position: int | None = Field(default=None, description="Set while waiting for a provisioning slot")
    steps: list[StepOut] = Field(default_factory=list, description="Provisioning steps with state and timing")
    conditions: list[ConditionOut] = Field(default_factory=list)
    generation: int | None = None
    observed_generation: int | None = None
    created_at: datetime | None = None
    request_id: str | None = Field(default=None, description="The gateway request that last changed the store")


class StorePage(BaseModel):
    items: list[StoreOut]
    continue_token: str | None = Field(
        default=None,
        description="Pass as ?continue= for the next page; null on the last page. With filters a page "
        "may hold fewer than `limit` stores while more follow.",
    )


class StoreEventOut(BaseModel):
    time: datetime | None
    type: str = Field(description="Normal or Warning")
    reason: str
    message: str
    source: str = Field(description="Who reported it: the operator or the gateway")
    count: int


class HistoryOut(BaseModel):
    time: datetime
    phase: Phase
    reason: str
    message: str


class StoreEvents(BaseModel):
    events: list[StoreEventOut] = Field(
        description="Kubernetes Events about the store, newest first (kept for about an hour)"
    )
    history: list[HistoryOut] = Field(description="The store's last phase transitions, oldest first")


class StoreCredentials(BaseModel):
    """The store's admin login, generated by the operator. Shown to the store's owner only."""

    username: str
    email: str | None
    password: str
    admin_url: str | None


def phase_of(store: Store) -> Phase:
    """The phase to show: what the operator reports, or what the object says before it reports."""
    if store.metadata.deletion_timestamp is not None:
        return "Deleting"
    return store.status.phase or "Requested"


def is_settled(store: Store) -> bool:
    """Ready or Failed *for the current spec and retry request*: a stream following it can end.

    A status written before the last spec change or retry request still says the old outcome, so
    it does not count until the operator has caught up with both.
    """
    if phase_of(store) not in ("Ready", "Failed"):
        return False
    status, metadata = store.status, store.metadata
    if status.observed_generation is not None and status.observed_generation != metadata.generation:
        return False
    requested = metadata.annotations.get(contract.ANNOTATION_REQUESTED_AT)
    return requested is None or requested == status.last_handled_requested_at


_REMEMBERED_VIEWS = 20_000
"""Views kept by Store version (emptied when full): a list page of 50 built 50 views per request,
the largest part of a cached read's cost; a version's view never changes."""
_views: dict[tuple[str, str, bool], StoreOut] = {}


def store_out(store: Store) -> StoreOut:
    """The API's view of a Store, built once per version (uid, resourceVersion, being deleted).

    Whether deletion was asked is part of the key: the delete answer sets it on a copy of the
    Store without a new resourceVersion. Views are shared between responses; nothing mutates them.
    """
    metadata = store.metadata
    if not (metadata.uid and metadata.resource_version):
        return _build_store_out(store)
    key = (metadata.uid, metadata.resource_version, metadata.deletion_timestamp is not None)
    view = _views.get(key)
    if view is None:
        if len(_views) >= _REMEMBERED_VIEWS:
            _views.clear()
        view = _views[key] = _build_store_out(store)
    return view


def _build_store_out(store: Store) -> StoreOut:
    spec, status, metadata = store.spec, store.status, store.metadata
    ready = get_condition(status.conditions, READY)
    return StoreOut(
        id=metadata.name,
        name=metadata.name,
        tenant=naming.tenant_from_namespace(metadata.namespace),
        engine=spec.engine,
        display_name=spec.display_name,
        theme=spec.woocommerce_options().theme if spec.engine == "woocommerce" else None,
        storefront=spec.medusa_options().storefront.enabled if spec.engine == "medusa" else None,
        phase=phase_of(store),
        ready=ready.status if ready else None,
        reason=ready.reason if ready else None,
        message=(ready.message or None) if ready else None,
        url=status.url,
        admin_url=status.admin_url,
        storefront_url=status.storefront_url,
        store_namespace=status.namespace,
        simulated=status.simulated,
        deleting=metadata.deletion_timestamp is not None,
        queue_position=status.queue.position if status.queue else None,
        steps=[
            StepOut(
                name=step.name,
                state=step.state,
                started_at=step.started_at,
                duration_ms=step.duration_ms,
                message=step.message,
            )
            for step in status.steps
        ],
        conditions=[
            ConditionOut(
                type=c.type,
                status=c.status,
                reason=c.reason,
                message=c.message,
                last_transition_time=c.last_transition_time,
            )
            for c in status.conditions
        ],
        generation=metadata.generation,
        observed_generation=status.observed_generation,
        created_at=metadata.creation_timestamp,
        request_id=metadata.annotations.get(contract.ANNOTATION_REQUEST_ID),
    )
