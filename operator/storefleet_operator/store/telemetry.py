"""Store metrics: what the reconciler reports to Prometheus, in one place.

The phase gauge is recomputed from an in-memory map of every store this process reconciles, so a
store that changes phase moves from one series to the other instead of being counted twice, and a
deleted store disappears from it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from storefleet_operator.models import Phase, StepStatus
from storefleet_operator.observability import Metrics

PHASES: tuple[Phase, ...] = ("Requested", "Provisioning", "Ready", "Failed", "Deleting")
ENGINES = ("woocommerce", "medusa")
FINISHED = frozenset({"Succeeded", "Failed", "Skipped"})


@dataclass
class Telemetry:
    metrics: Metrics
    _phases: dict[str, tuple[str, str]] = field(default_factory=dict)

    def phase(self, key: str, phase: str | None, engine: str) -> None:
        if phase is None:
            return
        if self._phases.get(key) == (phase, engine):
            return
        self._phases[key] = (phase, engine)
        self._publish_phases()

    def orphan_collected(self, kind: str) -> None:
        self.metrics.orphans_collected_total.labels(kind=kind).inc()

    def forget(self, key: str) -> None:
        if self._phases.pop(key, None) is not None:
            self._publish_phases()

    def _publish_phases(self) -> None:
        counts = Counter(self._phases.values())
        for phase in PHASES:
            for engine in ENGINES:
                self.metrics.stores_by_phase.labels(phase=phase, engine=engine).set(counts.get((phase, engine), 0))

    def steps_finished(self, engine: str, before: Sequence[StepStatus], after: Sequence[StepStatus]) -> None:
        """Observe the duration of every step that finished between two versions of status.steps."""
        previous = {s.name: s for s in before}
        for step in after:
            if step.state not in FINISHED or step.duration_ms is None:
                continue
            old = previous.get(step.name)
            if old is not None and (old.state, old.started_at, old.duration_ms) == (
                step.state,
                step.started_at,
                step.duration_ms,
            ):
                continue
            self.metrics.step_duration_seconds.labels(engine=engine, step=step.name).observe(step.duration_ms / 1000)

    def step_failed(self, engine: str, step: str, reason: str) -> None:
        self.metrics.step_failures_total.labels(engine=engine, step=step, reason=reason).inc()

    def provisioned(self, engine: str, seconds: float) -> None:
        self.metrics.provisioning_duration_seconds.labels(engine=engine).observe(max(0.0, seconds))

    def queue(self, depth: int, in_flight: int) -> None:
        self.metrics.queue_depth.set(depth)
        self.metrics.in_flight.set(in_flight)

    def queue_waited(self, seconds: float) -> None:
        self.metrics.queue_wait_seconds.observe(max(0.0, seconds))
