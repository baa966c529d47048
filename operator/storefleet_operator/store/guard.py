"""Is the Store still wanted? Asked right before every action that makes something for it.

A pass works from the Store as it was when the pass began. Between then and a side effect the Store
may have been deleted (a tenant cancelling seconds after creating), replaced by a new one of the same
name (a new uid), or it may not carry the operator's finalizer yet (made by kubectl: kopf adds it, and
the work queue starts the store before it has). Making a namespace, a Secret or a Helm release in any of
those cases leaves an orphan nobody will clean up, and one the tenant's store quota no longer counts.
So every such action first re-reads the Store from the API server and proceeds only when it exists
with the same uid, carries the finalizer and is not being deleted. Holding the per-store lock while it
works, the pass cannot then race the deletion handler: a deletion that starts after the check waits
for the pass and removes what it made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from storefleet_operator import contract

FINALIZER_WAIT_SECONDS: Final = 1.0
"""How soon to look again when kopf has not yet added the finalizer to a Store made by kubectl."""


class StoreGone(Exception):
    """Nothing more may be made for this Store now. ``retry_in`` is None when it is gone for good
    (deleted, being deleted, or replaced); otherwise the pass may be tried again after that long."""

    def __init__(self, message: str, retry_in: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_in = retry_in


def why_not_wanted(fresh: Mapping[str, Any] | None, uid: str | None) -> StoreGone | None:
    """Why nothing may be made for the Store whose uid is ``uid``, given its fresh body; None if it may."""
    if fresh is None:
        return StoreGone("the Store no longer exists")
    meta = fresh.get("metadata") or {}
    if uid is not None and meta.get("uid") != uid:
        return StoreGone("the Store was deleted and a new one of the same name created")
    if meta.get("deletionTimestamp"):
        return StoreGone("the Store is being deleted")
    if contract.FINALIZER not in (meta.get("finalizers") or []):
        return StoreGone(
            f"the Store does not carry the {contract.FINALIZER} finalizer yet", retry_in=FINALIZER_WAIT_SECONDS
        )
    return None
