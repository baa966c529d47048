"""Finish (deletion): no Stores and no namespace are left; the finalizer may go."""

from __future__ import annotations

from dataclasses import dataclass

from storefleet_operator.models import Reason
from storefleet_operator.models.events import normal
from storefleet_operator.tenant.actions.base import Outcome, TenantAction, TenantDeps
from storefleet_operator.tenant.snapshot import TenantSnapshot


@dataclass(frozen=True)
class Finish(TenantAction):
    async def run(self, s: TenantSnapshot, deps: TenantDeps) -> Outcome:
        return Outcome(events=[normal(Reason.TENANT_DELETED, f"namespace {s.namespace} deleted")])
