"""What one Tenant pass sees (pure data): the Tenant, its namespace, the Stores in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storefleet_operator.models import Tenant


@dataclass(frozen=True)
class TenantSnapshot:
    body: dict[str, Any]
    """The Tenant as kopf delivered it (kept whole: a spec that does not parse is still reported)."""
    tenant: Tenant | None
    """The parsed Tenant; None when its spec does not parse (``invalid`` says why)."""
    invalid: str | None
    name: str
    namespace: str
    generation: int | None
    deleting: bool
    stores: tuple[str, ...]
    namespace_present: bool
    now: datetime
