"""The type every action derives from: what ``decide`` returns and what the reconciler runs.

An action is a frozen dataclass (its fields are what ``decide`` saw) with an async ``run`` that does the
work through the adapters and says when to look again. Each action lives in its own module, type and
``run`` together; the reconciler calls ``action.run`` and keeps no table of them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from storefleet_operator.store.context import Deps, Next, Pass


@dataclass(frozen=True)
class Action(ABC):
    needs_slot: bool = False
    """Provisioning work that counts against the global concurrency limit."""

    @abstractmethod
    async def run(self, p: Pass, deps: Deps) -> Next:
        """Do the action's work for one pass; change ``p.status``, add events, and say when to look again."""
