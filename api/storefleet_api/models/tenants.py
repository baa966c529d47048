"""Bodies of the /api/v1/admin/tenants endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class TenantOut(BaseModel):
    name: str
    display_name: str
    email: str | None
    owners: list[str]
    store_limit: int
    namespace: str = Field(description="The namespace the tenant's stores live in")
    ready: str | None = Field(default=None, description="The Ready condition (True/False/Unknown) the operator reports")
    store_count: int | None = Field(default=None, description="Stores in the tenant namespace now")
    created_at: datetime | None


class TenantPage(BaseModel):
    items: list[TenantOut]
    continue_token: str | None = Field(default=None, description="Pass as ?continue_token= for the next page")
