"""Bodies of GET /api/v1/admin/audit: lifecycle and security events, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

AuditCategory = Literal["store", "security"]


class AuditEntry(BaseModel):
    time: datetime | None
    category: AuditCategory = Field(description="store: a store's lifecycle; security: accounts and access")
    type: str = Field(description="What happened, in CamelCase (the Kubernetes Event reason)", examples=["LoginFailed"])
    severity: str = Field(description="Normal or Warning")
    tenant: str | None = Field(default=None, description="The tenant concerned, when known")
    store: str | None = Field(default=None, description="The store concerned (store events)")
    user_id: str | None = Field(default=None, description="The account concerned (security events)")
    message: str
    source: str = Field(description="Who reported it: the operator or the gateway")
    count: int = Field(description="How many times Kubernetes saw this same event")


class AuditPage(BaseModel):
    items: list[AuditEntry]
    truncated: bool = Field(
        description="True when more events matched than are shown; raise limit or narrow the filters"
    )
