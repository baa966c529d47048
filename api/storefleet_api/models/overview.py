"""Body of GET /api/v1/admin/overview: the platform at a glance for its admins."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from storefleet_operator.models import Engine, Phase


class FailureOut(BaseModel):
    tenant: str | None
    store: str
    display_name: str
    engine: Engine
    reason: str | None = Field(description="Why it failed, in CamelCase (the Ready condition's reason)")
    message: str | None = Field(description="What went wrong, for a person")
    since: datetime | None = Field(description="When it failed (the Ready condition's last transition)")


class DurationStats(BaseModel):
    samples: int = Field(description="Stores that reached Ready and are still listed")
    p50_seconds: float | None = Field(description="Median time from request to Ready; null without samples")
    p95_seconds: float | None = Field(description="95th percentile time from request to Ready; null without samples")


class Overview(BaseModel):
    total: int
    by_phase: dict[Phase, int] = Field(description="Every phase, zero included")
    by_engine: dict[Engine, int]
    tenants_with_stores: int
    recent_failures: list[FailureOut] = Field(description="Failed stores, most recent failure first (at most 10)")
    provisioning: DurationStats
    truncated: bool = Field(description="True when there were more stores than the overview reads")
