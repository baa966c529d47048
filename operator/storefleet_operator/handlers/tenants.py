"""kopf handlers for Tenants (cluster-scoped): thin edges over ``tenant.reconciler``.

Create/update/resume and delete each run one observe → decide → act pass and write the status it
returns; a timer keeps ``status.storeCount`` current. Deletion rule (``tenant/actions/block_deletion``):
a Tenant that still has Stores is not deleted, and deletion completes by itself once they are gone.
"""

from __future__ import annotations

import datetime
from typing import Any

import kopf

from storefleet_operator import contract
from storefleet_operator.adapters.tenants import TenantKube
from storefleet_operator.observability import log_context
from storefleet_operator.tenant.actions.base import Outcome, TenantDeps
from storefleet_operator.tenant.reconciler import TenantReconciler

GROUP, VERSION, PLURAL = contract.GROUP, contract.VERSION, contract.TENANTS


@kopf.on.startup()
async def build_tenant_reconciler(memo: kopf.Memo, **_: Any) -> None:
    deps = TenantDeps(memo.settings, TenantKube(memo.api), lambda: datetime.datetime.now(datetime.UTC))
    memo.tenant_reconciler = TenantReconciler(deps)


def _answer(body: kopf.Body, patch: kopf.Patch, outcome: Outcome) -> None:
    """Write the pass's status and events, then tell kopf whether and when to come back."""
    patch.status.update(outcome.status)
    for event in outcome.events:
        kopf.event(body, type=event.type, reason=event.reason, message=event.message)
    if outcome.permanent is not None:
        raise kopf.PermanentError(outcome.permanent)
    if outcome.retry_in is not None:
        message = outcome.events[-1].message if outcome.events else "waiting for the tenant's namespace to be gone"
        raise kopf.TemporaryError(message, delay=outcome.retry_in)


@kopf.on.resume(GROUP, VERSION, PLURAL)
@kopf.on.create(GROUP, VERSION, PLURAL)
@kopf.on.update(GROUP, VERSION, PLURAL, field="spec")
async def reconcile_tenant(body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, **_: Any) -> None:
    reconciler: TenantReconciler = memo.tenant_reconciler
    with log_context(tenant=body["metadata"]["name"]):
        _answer(body, patch, await reconciler.run_pass(body))


@kopf.timer(GROUP, VERSION, PLURAL, interval=30, initial_delay=10)
async def refresh_store_count(body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, **_: Any) -> None:
    """Keep status.storeCount current (stores come and go without touching the Tenant)."""
    if not body.get("status", {}).get("namespace"):
        return
    reconciler: TenantReconciler = memo.tenant_reconciler
    count = await reconciler.store_count(body)
    if body.get("status", {}).get("storeCount") != count:
        patch.status["storeCount"] = count


@kopf.on.delete(GROUP, VERSION, PLURAL)
async def delete_tenant(body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, **_: Any) -> None:
    reconciler: TenantReconciler = memo.tenant_reconciler
    with log_context(tenant=body["metadata"]["name"]):
        _answer(body, patch, await reconciler.run_pass(body))
