"""Bodies of the /api/v1/health endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class ProbeResult(BaseModel):
    status: Literal["ok", "unavailable"]
    detail: str = ""


class KubernetesReport(BaseModel):
    reachable: bool
    latency_ms: float | None
    detail: str = ""


class NamespaceReport(BaseModel):
    name: str
    present: bool | None


class HealthReport(BaseModel):
    status: Literal["ok", "degraded", "shutting-down"]
    version: str
    kubernetes: KubernetesReport
    platform_namespace: NamespaceReport
