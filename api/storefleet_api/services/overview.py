"""The admin overview: counts by phase and engine, recent failures, provisioning durations.

Boundary: `summarize` is pure (stores in, numbers out); `read_overview` pages through every store
with the gateway's own reader and hands them to it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import get_args

from storefleet_api.models.overview import DurationStats, FailureOut, Overview
from storefleet_api.models.stores import phase_of
from storefleet_api.services.stores import StoreService
from storefleet_operator import naming
from storefleet_operator.models import READY, Engine, Phase, Store, get_condition

RECENT_FAILURES = 10
MAX_STORES_READ = 5000
"""A bound on one request's work; a platform past it wants metrics (the operator exports them)."""

_PAGE = 100


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile (what a person would read off the sorted list); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def provisioning_seconds(store: Store) -> float | None:
    """From the store's creation to the first time it became Ready, if it did (per its history)."""
    created = store.metadata.creation_timestamp
    ready_at = next((entry.time for entry in store.status.history if entry.phase == "Ready"), None)
    if created is None or ready_at is None:
        return None
    return max(0.0, (ready_at - created).total_seconds())


def _failure(store: Store) -> FailureOut:
    ready = get_condition(store.status.conditions, READY)
    return FailureOut(
        tenant=naming.tenant_from_namespace(store.metadata.namespace),
        store=store.metadata.name,
        display_name=store.spec.display_name,
        engine=store.spec.engine,
        reason=ready.reason if ready else None,
        message=(ready.message or None) if ready else None,
        since=ready.last_transition_time if ready else None,
    )


def _newest_first(failure: FailureOut) -> float:
    return -failure.since.timestamp() if failure.since else math.inf


def summarize(stores: Sequence[Store], *, truncated: bool = False) -> Overview:
    by_phase: dict[Phase, int] = dict.fromkeys(get_args(Phase), 0)
    by_engine: dict[Engine, int] = dict.fromkeys(get_args(Engine), 0)
    for store in stores:
        by_phase[phase_of(store)] += 1
        by_engine[store.spec.engine] += 1
    failures = sorted((_failure(s) for s in stores if phase_of(s) == "Failed"), key=_newest_first)
    durations = [d for d in map(provisioning_seconds, stores) if d is not None]
    return Overview(
        total=len(stores),
        by_phase=by_phase,
        by_engine=by_engine,
        tenants_with_stores=len({store.metadata.namespace for store in stores}),
        recent_failures=failures[:RECENT_FAILURES],
        provisioning=DurationStats(
            samples=len(durations), p50_seconds=percentile(durations, 0.5), p95_seconds=percentile(durations, 0.95)
        ),
        truncated=truncated,
    )


async def read_overview(stores: StoreService) -> Overview:
    """Every tenant's stores (up to MAX_STORES_READ), summarized."""
    found: list[Store] = []
    token: str | None = None
    while len(found) < MAX_STORES_READ:
        page, token = await stores.list_stores(None, phase=None, engine=None, limit=_PAGE, continue_token=token)
        found += page
        if token is None:
            break
    return summarize(found[:MAX_STORES_READ], truncated=token is not None)
