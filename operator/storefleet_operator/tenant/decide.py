"""Pick the one next action for a Tenant from its snapshot (pure), as ``store.decide`` does for Stores.

Provisioning: a spec that does not parse is rejected; otherwise converge (idempotent server-side
apply). Deletion: blocked while Stores remain, then delete the namespace, then finish.
"""

from __future__ import annotations

from storefleet_operator.tenant.actions.base import TenantAction
from storefleet_operator.tenant.actions.block_deletion import BlockDeletion
from storefleet_operator.tenant.actions.converge import Converge
from storefleet_operator.tenant.actions.delete_namespace import DeleteNamespace
from storefleet_operator.tenant.actions.finish import Finish
from storefleet_operator.tenant.actions.reject import Reject
from storefleet_operator.tenant.snapshot import TenantSnapshot


def decide(s: TenantSnapshot) -> TenantAction:
    if s.deleting:
        if s.stores:
            return BlockDeletion()
        if s.namespace_present:
            return DeleteNamespace()
        return Finish()
    if s.tenant is None:
        return Reject()
    return Converge()
