"""What a Tenant action is, what it works with, and what a pass answers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from storefleet_operator.models import Condition
from storefleet_operator.models.events import Event
from storefleet_operator.settings import OperatorSettings
from storefleet_operator.tenant.snapshot import TenantSnapshot

if TYPE_CHECKING:
    from storefleet_operator.adapters.tenants import TenantKube


@dataclass(frozen=True)
class TenantDeps:
    settings: OperatorSettings
    kube: TenantKube
    clock: Callable[[], datetime]


@dataclass
class Outcome:
    """What a pass leaves: a status patch (written once, by the handler), events, and when to retry."""

    status: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    retry_in: float | None = None
    """Look again after this long (deletion waiting on stores or on the namespace); None: done."""
    permanent: str | None = None
    """The Tenant cannot be acted on until its spec changes (an invalid spec): the reason why."""


def conditions_json(conditions: list[Condition]) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in conditions]


@dataclass(frozen=True)
class TenantAction(ABC):
    @abstractmethod
    async def run(self, s: TenantSnapshot, deps: TenantDeps) -> Outcome:
        """Do the action's work; return the status to write, the events to post and when to look again."""
