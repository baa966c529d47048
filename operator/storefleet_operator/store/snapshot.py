"""What the reconciler saw in one pass: a frozen snapshot that ``decide`` reads and nothing else.

Plain data only. ``observe`` (pure) builds it from the Store and from raw API/helm answers gathered by
the adapters, so every decision can be tested from a hand-written snapshot.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storefleet_operator.models import StepStatus, Store
from storefleet_operator.store.gate import SlotView


class NamespaceState(enum.Enum):
    ABSENT = "Absent"
    OURS = "Ours"
    """Exists with this store's labels and the wanted Pod Security labels."""
    OURS_OUTDATED = "OursOutdated"
    """Ours, but labels (e.g. the Pod Security level) differ from what they should be."""
    FOREIGN = "Foreign"
    """Exists without this store's labels: someone else's; never adopted."""
    LEFTOVER = "Leftover"
    """Labelled for a Store of the same namespace and name but another uid: left behind by an earlier
    Store that is gone (only one Store of a name exists at a time). Removed, never adopted."""
    TERMINATING = "Terminating"


class ReleaseState(enum.Enum):
    """The Helm release, Flux-style (helm-controller internal/reconcile/state.go)."""

    ABSENT = "Absent"
    IN_SYNC = "InSync"
    """Latest revision deployed with the wanted values and chart."""
    OUT_OF_SYNC = "OutOfSync"
    """Latest revision deployed, but with other values or another chart (spec or settings changed)."""
    FAILED = "Failed"
    LOCKED = "Locked"
    """Stuck in pending-install/upgrade/rollback (or uninstalling) with no live helm process on it."""
    BUSY = "Busy"
    """A pending-* revision that a live helm operation may still finish (recent, not from a crash)."""


@dataclass(frozen=True)
class Revision:
    number: int
    status: str
    chart: str
    updated: datetime | None
    description: str
    workloads: tuple[str, ...] = ()
    """``Kind/name`` of the Deployments and StatefulSets this revision rendered (when its record was read)."""


@dataclass(frozen=True)
class ReleaseView:
    state: ReleaseState
    latest: Revision | None = None
    last_deployed: Revision | None = None
    """The newest revision that ran successfully (deployed or superseded): the rollback target."""


@dataclass(frozen=True)
class WorkloadProgress:
    kind: str
    name: str
    ready: int
    desired: int
    up_to_date: bool
    current_revision: str | None = None
    update_revision: str | None = None
    """StatefulSets only: the controller revision its pods run, and the one they should run."""
    selector: tuple[tuple[str, str], ...] = ()

    @property
    def updating(self) -> bool:
        return self.update_revision is not None and self.current_revision != self.update_revision

    @property
    def done(self) -> bool:
        return self.up_to_date and self.ready >= self.desired

    def __str__(self) -> str:
        return f"{self.kind.lower()}/{self.name} {self.ready}/{self.desired} ready"


@dataclass(frozen=True)
class RolloutView:
    workloads: tuple[WorkloadProgress, ...]
    missing: tuple[str, ...] = ()
    """``Kind/name`` of workloads the deployed revision rendered that do not exist: deleted by hand."""

    @property
    def ready(self) -> bool:
        return bool(self.workloads) and all(w.done for w in self.workloads)

    @property
    def waiting_for(self) -> tuple[WorkloadProgress, ...]:
        return tuple(w for w in self.workloads if not w.done)

    def summary(self) -> str:
        if not self.workloads:
            return "no Deployment or StatefulSet of the release exists yet"
        return ", ".join(str(w) for w in self.workloads)


@dataclass(frozen=True)
class Urls:
    url: str | None = None
    admin_url: str | None = None
    storefront_url: str | None = None


@dataclass(frozen=True)
class Desired:
    """What the release should be: values (data), their digest, the chart, the store host."""

    values: dict[str, Any]
    digest: str
    chart: str
    host: str


@dataclass(frozen=True)
class Failure:
    """The step whose last attempt failed, as recorded in status."""

    step: str
    reason: str
    message: str
    attempts: int


@dataclass(frozen=True)
class Snapshot:
    store: Store
    now: datetime
    max_attempts: int
    namespace: str
    namespace_state: NamespaceState
    credentials_ready: bool
    release: ReleaseView
    rollout: RolloutView
    urls: Urls
    slot: SlotView
    desired: Desired | None
    """None when the desired values cannot be built (e.g. a values file is unreadable)."""
    desired_error: str | None = None
    deleting: bool = False
    stalled: bool = False
    """Stalled=True for this generation and nothing (spec change, retry request) reset it."""
    released: bool = False
    """Released=True for this generation: the current revision's rollout was seen complete."""
    engine_configured: bool = False
    """EngineConfigured=True for this generation."""
    failure: Failure | None = None
    uninstall_attempts: int = 0
    steps: tuple[StepStatus, ...] = field(default=())

    @property
    def exhausted(self) -> bool:
        return self.failure is not None and self.failure.attempts >= self.max_attempts

    @property
    def key(self) -> str:
        return f"{self.store.metadata.namespace}/{self.store.metadata.name}"

    @property
    def resuming(self) -> bool:
        """Provisioning when this operator process started (phase Provisioning is only ever written by a
        store holding a slot) and holding no slot in it: admitted before a restart, so it resumes at once
        instead of queueing behind stores that never started."""
        return self.store.status.phase == "Provisioning" and not self.slot.held
