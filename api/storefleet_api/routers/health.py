"""/api/v1/health: liveness, readiness, and a report a person can read."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response, status

from storefleet_api import __version__
from storefleet_api.dependencies import ServicesDep
from storefleet_api.lifecycle import Lifecycle
from storefleet_api.models.health import HealthReport, KubernetesReport, NamespaceReport, ProbeResult
from storefleet_api.routers import API_PREFIX

router = APIRouter(prefix=f"{API_PREFIX}/health", tags=["health"])


@router.get("/live", response_model=ProbeResult, summary="200 while the process runs")
async def live() -> ProbeResult:
    return ProbeResult(status="ok")


@router.get(
    "/ready",
    response_model=ProbeResult,
    responses={503: {"model": ProbeResult}},
    summary="503 while shutting down or while the Kubernetes API is unreachable",
)
async def ready(request: Request, response: Response) -> ProbeResult:
    lifecycle: Lifecycle = request.app.state.lifecycle
    if lifecycle.shutting_down:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return ProbeResult(status="unavailable", detail="shutting down")
    services = getattr(request.app.state, "services", None)
    if services is None:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return ProbeResult(status="unavailable", detail="starting")
    kubernetes = await services.health.check()
    if not kubernetes.reachable:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return ProbeResult(status="unavailable", detail=kubernetes.detail)
    return ProbeResult(status="ok")


@router.get("", response_model=HealthReport, summary="Version, Kubernetes reachability and latency, platform namespace")
async def report(services: ServicesDep) -> HealthReport:
    kubernetes = await services.health.check()
    overall: Literal["ok", "degraded", "shutting-down"]
    if services.lifecycle.shutting_down:
        overall = "shutting-down"
    elif kubernetes.reachable and kubernetes.namespace_present:
        overall = "ok"
    else:
        overall = "degraded"
    return HealthReport(
        status=overall,
        version=__version__,
        kubernetes=KubernetesReport(
            reachable=kubernetes.reachable, latency_ms=kubernetes.latency_ms, detail=kubernetes.detail
        ),
        platform_namespace=NamespaceReport(name=services.health.namespace, present=kubernetes.namespace_present),
    )
