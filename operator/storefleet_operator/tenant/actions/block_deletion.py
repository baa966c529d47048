"""BlockDeletion: a Tenant that still has Stores is not deleted. The finalizer stays, Ready=False with
reason DeletionBlocked names the stores, and deletion completes by itself once they are gone. Nothing
is cascaded implicitly, so deleting a Tenant can never destroy shop data by surprise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from storefleet_operator.models import Reason, set_condition
from storefleet_operator.models.events import warning
from storefleet_operator.tenant.actions.base import Outcome, TenantAction, TenantDeps, conditions_json
from storefleet_operator.tenant.snapshot import TenantSnapshot

RETRY_SECONDS: Final = 15.0
SHOWN: Final = 10


def blocked_message(s: TenantSnapshot) -> str:
    shown = ", ".join(s.stores[:SHOWN]) + (" ..." if len(s.stores) > SHOWN else "")
    return (
        f"tenant {s.name} still has {len(s.stores)} store(s) in {s.namespace}: {shown}; delete them first "
        f"(kubectl delete stores --all -n {s.namespace}); the tenant is deleted once they are gone"
    )


@dataclass(frozen=True)
class BlockDeletion(TenantAction):
    async def run(self, s: TenantSnapshot, deps: TenantDeps) -> Outcome:
        message = blocked_message(s)
        existing = s.tenant.status.conditions if s.tenant is not None else []
        conditions = set_condition(
            existing, "Ready", "False", Reason.DELETION_BLOCKED, message, observed_generation=s.generation, now=s.now
        )
        status = {"conditions": conditions_json(conditions)}
        return Outcome(status, [warning(Reason.DELETION_BLOCKED, message)], retry_in=RETRY_SECONDS)
