"""DeleteNamespace (deletion): the tenant has no Stores left; delete its namespace and wait until it is
gone before the finalizer goes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from storefleet_operator.tenant.actions.base import Outcome, TenantAction, TenantDeps
from storefleet_operator.tenant.snapshot import TenantSnapshot

POLL_SECONDS: Final = 2.0


@dataclass(frozen=True)
class DeleteNamespace(TenantAction):
    async def run(self, s: TenantSnapshot, deps: TenantDeps) -> Outcome:
        await deps.kube.delete_namespace(s.namespace)
        return Outcome(retry_in=POLL_SECONDS)
