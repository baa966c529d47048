"""kopf handlers for Tenants (cluster-scoped): thin edges over ``tenant.resources``.

Create/update/resume converge the tenant namespace, its store quota and RBAC; a timer keeps
``status.storeCount`` current. Deletion rule: a Tenant that still has Stores is not deleted — the
finalizer stays, the Tenant says why (Ready=False, DeletionBlocked, with the store names), and
deletion completes by itself once its stores are gone. Nothing is cascaded implicitly, so deleting a
Tenant can never destroy shop data by surprise.
"""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import kopf
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from storefleet_operator.adapters import apply
from storefleet_operator.models import NAMESPACE_READY, InvalidResourceError, Reason, Tenant, mark_ready, set_condition
from storefleet_operator.models.conditions import mark_stalled
from storefleet_operator.observability import log_context
from storefleet_operator.settings import OperatorSettings
from storefleet_operator.tenant import resources

GROUP, VERSION, PLURAL = "storefleet.io", "v1alpha1", "tenants"
DELETION_BLOCKED = "DeletionBlocked"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _conditions_json(conditions: list[Any]) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in conditions]


async def _store_names(api: client.ApiClient, namespace: str) -> list[str]:
    custom = client.CustomObjectsApi(api)
    try:
        listing = await asyncio.to_thread(custom.list_namespaced_custom_object, GROUP, VERSION, namespace, "stores")
    except ApiException as exc:
        if exc.status == 404:
            return []
        raise
    items: list[dict[str, Any]] = listing.get("items", []) if isinstance(listing, dict) else []
    return sorted(item["metadata"]["name"] for item in items)


@kopf.on.resume(GROUP, VERSION, PLURAL)
@kopf.on.create(GROUP, VERSION, PLURAL)
@kopf.on.update(GROUP, VERSION, PLURAL, field="spec")
async def reconcile_tenant(body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, **_: Any) -> None:
    generation = body.get("metadata", {}).get("generation")
    try:
        tenant = Tenant.from_body(body)
    except InvalidResourceError as exc:
        conditions = mark_stalled([], Reason.INVALID_SPEC, str(exc), generation=generation, now=_now())
        patch.status["conditions"] = _conditions_json(conditions)
        patch.status["observedGeneration"] = generation
        kopf.warn(body, reason=Reason.INVALID_SPEC, message=str(exc))
        raise kopf.PermanentError(str(exc)) from exc
    settings: OperatorSettings = memo.settings
    with log_context(tenant=tenant.metadata.name):
        for obj in resources.tenant_objects(tenant, settings.platform_namespace, settings.gateway_service_account):
            await apply.apply(memo.api, obj)
        stores = await _store_names(memo.api, tenant.namespace)
        now = _now()
        message = f"namespace {tenant.namespace} ready; {len(stores)} of {tenant.spec.store_limit} stores used"
        conditions = set_condition(
            tenant.status.conditions, NAMESPACE_READY, "True", Reason.SUCCEEDED,
            f"namespace {tenant.namespace} with quota and RBAC", observed_generation=generation, now=now,
        )
        conditions = mark_ready(conditions, Reason.SUCCEEDED, message, generation=generation, now=now)
        patch.status.update({
            "namespace": tenant.namespace,
            "observedGeneration": generation,
            "conditions": _conditions_json(conditions),
            "storeCount": len(stores),
            "storeLimit": tenant.spec.store_limit,
        })
        kopf.event(body, type="Normal", reason="TenantReady", message=message)


@kopf.timer(GROUP, VERSION, PLURAL, interval=30, initial_delay=10)
async def refresh_store_count(body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, **_: Any) -> None:
    """Keep status.storeCount current (stores come and go without touching the Tenant)."""
    namespace = body.get("status", {}).get("namespace")
    if not namespace:
        return
    count = len(await _store_names(memo.api, namespace))
    if body.get("status", {}).get("storeCount") != count:
        patch.status["storeCount"] = count


@kopf.on.delete(GROUP, VERSION, PLURAL)
async def delete_tenant(body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, **_: Any) -> None:
    name = body["metadata"]["name"]
    namespace = body.get("status", {}).get("namespace") or f"tenant-{name}"
    with log_context(tenant=name):
        stores = await _store_names(memo.api, namespace)
        if stores:
            shown = ", ".join(stores[:10]) + (" ..." if len(stores) > 10 else "")
            message = (
                f"tenant {name} still has {len(stores)} store(s) in {namespace}: {shown}; delete them first "
                f"(kubectl delete stores --all -n {namespace}); the tenant is deleted once they are gone"
            )
            existing = Tenant.from_body(body).status.conditions if body.get("spec") else []
            conditions = set_condition(existing, "Ready", "False", DELETION_BLOCKED, message,
                                       observed_generation=body["metadata"].get("generation"), now=_now())
            patch.status["conditions"] = _conditions_json(conditions)
            kopf.warn(body, reason=DELETION_BLOCKED, message=message)
            raise kopf.TemporaryError(message, delay=15)
        if await apply.get(memo.api, "v1", "Namespace", namespace) is not None:
            await apply.delete(memo.api, "v1", "Namespace", namespace)
            raise kopf.TemporaryError(f"waiting for namespace {namespace} to be deleted", delay=2)
        kopf.event(body, type="Normal", reason="TenantDeleted", message=f"namespace {namespace} deleted")
