"""Converge: the tenant namespace, its store quota and RBAC, applied server-side; Ready with the count."""

from __future__ import annotations

from dataclasses import dataclass

from storefleet_operator.models import NAMESPACE_READY, Reason, mark_ready, set_condition
from storefleet_operator.models.events import normal
from storefleet_operator.tenant import resources
from storefleet_operator.tenant.actions.base import Outcome, TenantAction, TenantDeps, conditions_json
from storefleet_operator.tenant.snapshot import TenantSnapshot


@dataclass(frozen=True)
class Converge(TenantAction):
    async def run(self, s: TenantSnapshot, deps: TenantDeps) -> Outcome:
        tenant = s.tenant
        assert tenant is not None  # decide() picks Reject for a Tenant that does not parse
        settings = deps.settings
        await deps.kube.apply_all(
            resources.tenant_objects(tenant, settings.platform_namespace, settings.gateway_service_account)
        )
        stores = await deps.kube.store_names(tenant.namespace)  # after apply: the namespace exists now
        limit = tenant.spec.store_limit
        message = f"namespace {tenant.namespace} ready; {len(stores)} of {limit} stores used"
        conditions = set_condition(
            tenant.status.conditions,
            NAMESPACE_READY,
            "True",
            Reason.SUCCEEDED,
            f"namespace {tenant.namespace} with quota and RBAC",
            observed_generation=s.generation,
            now=s.now,
        )
        conditions = mark_ready(conditions, Reason.SUCCEEDED, message, generation=s.generation, now=s.now)
        status = {
            "namespace": tenant.namespace,
            "observedGeneration": s.generation,
            "conditions": conditions_json(conditions),
            "storeCount": len(stores),
            "storeLimit": limit,
        }
        return Outcome(status, [normal(Reason.TENANT_READY, message)])
