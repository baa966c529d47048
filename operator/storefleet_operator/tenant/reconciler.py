"""TenantReconciler: one observe → decide → act pass over a Tenant (the Store reconciler's shape).

Gather what exists through ``adapters.tenants``, build a snapshot (pure ``observe``), pick one action
(pure ``decide``), run it. The pass returns an ``Outcome``; the handler writes its status patch once
and posts its events, so a Tenant's status is answered in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from storefleet_operator.tenant import observe as obs
from storefleet_operator.tenant.actions.base import Outcome, TenantDeps
from storefleet_operator.tenant.decide import decide

log = logging.getLogger(__name__)


class TenantReconciler:
    def __init__(self, deps: TenantDeps) -> None:
        self.deps = deps

    async def run_pass(self, body: Mapping[str, Any]) -> Outcome:
        kube, deleting = self.deps.kube, (body.get("metadata") or {}).get("deletionTimestamp") is not None
        namespace = obs.tenant_namespace(body)
        tenant, _ = obs.parse(body)
        if tenant is not None:
            namespace = tenant.namespace
        # Converge lists the stores itself (after making the namespace); deletion needs them first.
        stores = await kube.store_names(namespace) if deleting else []
        present = await kube.namespace_exists(namespace) if deleting and not stores else False
        snapshot = obs.observe(body, stores=stores, namespace_present=present, now=self.deps.clock())
        action = decide(snapshot)
        log.info("tenant %s: %s", snapshot.name, type(action).__name__)
        return await action.run(snapshot, self.deps)

    async def store_count(self, body: Mapping[str, Any]) -> int:
        return len(await self.deps.kube.store_names(obs.tenant_namespace(body)))
