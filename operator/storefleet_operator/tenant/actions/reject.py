"""Reject: the Tenant's spec does not parse. Stalled with InvalidSpec; nothing is made until it changes."""

from __future__ import annotations

from dataclasses import dataclass

from storefleet_operator.models import Reason, mark_stalled
from storefleet_operator.models.events import warning
from storefleet_operator.tenant.actions.base import Outcome, TenantAction, TenantDeps, conditions_json
from storefleet_operator.tenant.snapshot import TenantSnapshot


@dataclass(frozen=True)
class Reject(TenantAction):
    async def run(self, s: TenantSnapshot, deps: TenantDeps) -> Outcome:
        message = s.invalid or "the Tenant's spec is invalid"
        conditions = mark_stalled([], Reason.INVALID_SPEC, message, generation=s.generation, now=s.now)
        status = {"conditions": conditions_json(conditions), "observedGeneration": s.generation}
        return Outcome(status, [warning(Reason.INVALID_SPEC, message)], permanent=message)
