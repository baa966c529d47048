"""The orphan sweep (``store/orphans.py``) as a background task of the operator: once at start-up, then
every ``orphan_sweep_interval_seconds``. With several replicas each sweeps; a sweep only removes what
no Store owns, so two sweeps agree and the second finds nothing."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import kopf

from storefleet_operator.store.orphans import OrphanCollector
from storefleet_operator.store.runtime import StoreRuntime


@kopf.on.startup()
async def start_orphan_sweep(memo: kopf.Memo, **_: Any) -> None:
    # Registered after handlers.stores' startup handler (HANDLER_MODULES order), which built the runtime.
    runtime: StoreRuntime = memo.store_runtime
    collector = OrphanCollector(runtime.deps.kube, runtime.deps.helm, memo.metrics, owner_known=runtime.queue.watches)
    memo.orphan_sweep = asyncio.create_task(
        collector.run_forever(memo.settings.orphan_sweep_interval_seconds), name="orphan-sweep"
    )


@kopf.on.cleanup()
async def stop_orphan_sweep(memo: kopf.Memo, **_: Any) -> None:
    task: asyncio.Task[None] | None = getattr(memo, "orphan_sweep", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
