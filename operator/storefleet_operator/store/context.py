"""What an action works with: the pass (store, snapshot, status being built, events) and the runtime
dependencies (adapters, gate, metrics, clock), plus the small vocabulary actions answer in.

Actions change ``Pass.status`` and append to ``Pass.events``; the reconciler writes both out at the end
of the pass whatever happens (Flux's deferred status patch). Failures are raised as ``StepFailed`` and
turned into counters, backoff and conditions in one place (``failures.py``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from storefleet_operator.models import Store, StoreStatus
from storefleet_operator.settings import OperatorSettings
from storefleet_operator.store.gate import ProvisioningGate
from storefleet_operator.store.observe import Raw
from storefleet_operator.store.snapshot import Snapshot
from storefleet_operator.store.status import Event

if TYPE_CHECKING:
    from storefleet_operator.adapters.helm import StoreHelm
    from storefleet_operator.adapters.kube import StoreKube
    from storefleet_operator.engines import Executor
    from storefleet_operator.store.telemetry import Telemetry


@dataclass(frozen=True)
class Next:
    """When to look at the store again: now (0), after ``delay`` seconds, or when something changes (None)."""

    delay: float | None
    message: str = ""
    observed: Callable[[Raw], Raw] | None = None
    """Set by an action that knows exactly what its work changed outside the Store's status: the
    reconciler applies it to what the pass observed and decides again at once, in the same pass,
    instead of reading everything again (``decide_again``)."""

    @property
    def idle(self) -> bool:
        return self.delay is None


NOW = Next(0.0)
IDLE = Next(None)


def _unchanged(raw: Raw) -> Raw:
    return raw


def decide_again(observed: Callable[[Raw], Raw] = _unchanged) -> Next:
    """Look again now, from what this pass observed as changed by ``observed`` (by default: nothing
    outside the status changed, e.g. the action only recorded what it saw or ran setup commands)."""
    return Next(0.0, observed=observed)


class StepFailed(Exception):
    """A step failed; the message is for a person (no secrets) and names what went wrong."""

    def __init__(
        self,
        step: str,
        reason: str,
        message: str,
        *,
        permanent: bool = False,
        final: bool = False,
        attempts: int | None = None,
    ) -> None:
        super().__init__(message)
        self.step = step
        self.reason = reason
        self.message = message
        self.permanent = permanent
        """Retrying cannot help (helm refused the values, a program is missing)."""
        self.final = final
        """The attempts were already made elsewhere (engine setup retries each command itself)."""
        self.attempts = attempts


@dataclass
class Deps:
    """Runtime-wide collaborators, built once at operator startup."""

    settings: OperatorSettings
    kube: StoreKube
    helm: StoreHelm
    executor: Executor
    gate: ProvisioningGate
    telemetry: Telemetry
    clock: Callable[[], datetime]
    rand: Callable[[], float]
    monotonic: Callable[[], float] = time.monotonic


async def _always_wanted() -> None:
    return None


@dataclass
class Pass:
    """One observe-decide-act pass over one store."""

    store: Store
    snapshot: Snapshot
    status: StoreStatus
    checkpoint: Callable[[], Awaitable[None]]
    """Write ``status`` now (helm's Installing before it runs; engine setup's progress every 2 s)."""
    deadline: float
    """Monotonic time by which a long action should hand back control (deletes must not wait long)."""
    stopping: Callable[[], bool] = lambda: False
    """True when the store's pass has been asked to stop (deletion, standing by, operator shutdown)."""
    events: list[Event] = field(default_factory=list)
    confirm_wanted: Callable[[], Awaitable[None]] = _always_wanted
    """Re-read the Store and raise ``guard.StoreGone`` unless it may still have things made for it;
    every action that creates something awaits this right before doing so (``guard.py``)."""

    @property
    def generation(self) -> int | None:
        return self.store.metadata.generation

    def emit(self, event: Event) -> None:
        self.events.append(event)
