"""Building blocks shared by the Store and Tenant models: base config, text types, metadata, Condition.

Every pattern here must mean the same in pydantic-core's Rust regex engine (Python side) and in Go's
RE2 (the Kubernetes API server validating the generated CRD), so they use only syntax both share:
Unicode classes like ``\\p{Cc}`` yes, ``\\s`` no (ASCII-only in Go, Unicode in Rust).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from storefleet_operator import naming

# Kubernetes objects use camelCase; Python code uses snake_case. Validation from API bodies is by alias
# only (see parse_body); Python callers construct models with snake_case names.
_BASE: Final = ConfigDict(
    alias_generator=to_camel,
    validate_by_alias=True,
    validate_by_name=True,
    serialize_by_alias=True,
    frozen=True,
)
SPEC_CONFIG: Final = ConfigDict(**_BASE, extra="forbid")
"""Specs reject unknown fields: a typo in a spec is a mistake a person should hear about."""
STATUS_CONFIG: Final = ConfigDict(**_BASE, extra="ignore")
"""Status tolerates unknown fields so an older operator can read status a newer one wrote (rollback)."""

MAX_MESSAGE_LENGTH: Final = 1024
MAX_CONDITION_MESSAGE_LENGTH: Final = 32768  # metav1.Condition's own bound

NO_CONTROL_CHARS: Final = r"^\P{Cc}*$"
# Visible text: no control characters and at least one character that is not a separator (space).
VISIBLE_TEXT: Final = r"^\P{Cc}*[^\p{Cc}\p{Z}]\P{Cc}*$"
EMAIL_SHAPE: Final = r"^[^@\p{Cc}\p{Z}]+@[^@\p{Cc}\p{Z}]+\.[^@\p{Cc}\p{Z}]+$"
CAMEL_CASE_REASON: Final = r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"  # metav1.Condition.reason
CONDITION_TYPE: Final = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"
)


def _truncate(limit: int) -> BeforeValidator:
    # Messages are written by the operator from error output of unbounded length; cutting them here
    # means a long helm error can never make a status patch fail schema validation.
    def cut(value: Any) -> Any:
        if isinstance(value, str) and len(value) > limit:
            return value[: limit - 1] + "…"
        return value

    return BeforeValidator(cut)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamps must carry a timezone (Kubernetes writes RFC 3339 with 'Z')")
    return value


DisplayName = Annotated[str, Field(min_length=1, max_length=80, pattern=VISIBLE_TEXT)]
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=EMAIL_SHAPE)]
Message = Annotated[str, _truncate(MAX_MESSAGE_LENGTH), Field(max_length=MAX_MESSAGE_LENGTH)]
ReasonText = Annotated[str, Field(min_length=1, max_length=1024, pattern=CAMEL_CASE_REASON)]
Timestamp = Annotated[datetime, AfterValidator(_utc)]
Generation = Annotated[int, Field(ge=0, json_schema_extra={"format": "int64"})]
Count = Annotated[int, Field(ge=0, json_schema_extra={"format": "int32"})]
ConditionStatus = Literal["True", "False", "Unknown"]


class ObjectMeta(BaseModel):
    """The subset of metav1.ObjectMeta the operator and gateway read."""

    model_config = ConfigDict(**_BASE, extra="ignore")

    name: str
    namespace: str | None = None
    uid: str | None = None
    generation: int | None = None
    resource_version: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    finalizers: list[str] = Field(default_factory=list)
    creation_timestamp: Timestamp | None = None
    deletion_timestamp: Timestamp | None = None


class StoreMetadata(ObjectMeta):
    """Store metadata: the name must derive valid namespace and release names; namespace is required."""

    namespace: str

    @field_validator("name")
    @classmethod
    def _derivable(cls, name: str) -> str:
        return naming.validate_store_name(name)


class TenantMetadata(ObjectMeta):
    """Tenant metadata (cluster-scoped): the name must derive a valid tenant namespace name."""

    @field_validator("name")
    @classmethod
    def _derivable(cls, name: str) -> str:
        return naming.validate_tenant_name(name)


class Condition(BaseModel):
    """One observation of the object's state, in the shape of metav1.Condition (kstatus-compatible)."""

    model_config = STATUS_CONFIG

    type: str = Field(
        max_length=316,
        pattern=CONDITION_TYPE,
        description="Type of condition in CamelCase, e.g. Ready, Reconciling, Stalled, Released.",
    )
    status: ConditionStatus = Field(description="Status of the condition: True, False or Unknown.")
    reason: ReasonText = Field(
        description="Programmatic identifier in CamelCase for the last transition, e.g. HelmInstallFailed."
    )
    message: Annotated[str, _truncate(MAX_CONDITION_MESSAGE_LENGTH)] = Field(
        max_length=MAX_CONDITION_MESSAGE_LENGTH,
        description="Human-readable details about the last transition; may be empty.",
    )
    last_transition_time: Timestamp = Field(
        description="When the condition last changed status (not when it was last written)."
    )
    observed_generation: Generation | None = Field(
        default=None,
        description="The .metadata.generation the condition was set for; older means it may be stale.",
    )


class Resource(BaseModel):
    """Base of the top-level Store and Tenant models."""

    model_config = STATUS_CONFIG

    def manifest(self) -> dict[str, Any]:
        """The body to create or apply this object: apiVersion, kind, identifying metadata and spec.

        Status and server-owned metadata (uid, resourceVersion, generation...) are left out: the API
        server ignores or refuses them on create, and status is written through its subresource.
        """
        body = self.model_dump(mode="json", exclude_none=True, include={"api_version", "kind", "metadata", "spec"})
        metadata = body["metadata"]
        body["metadata"] = {
            k: metadata[k] for k in ("name", "namespace", "labels", "annotations", "finalizers") if metadata.get(k)
        }
        return body
