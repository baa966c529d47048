"""WaitRollout: bounded wait for the release's Deployments and StatefulSets, one short look per pass.

The step's ``startedAt`` in status is the wait's clock, so an operator restart continues the same
deadline instead of starting a new one. Progress per workload goes into the step message; a timeout
names the workloads that are not ready. Once rolled out, the nodes the pods landed on say whether the
store is simulated (``placement``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from storefleet_operator.adapters.kube import INSTANCE_LABEL, KubeError
from storefleet_operator.models import RELEASED, Reason, StoreStatus, set_condition
from storefleet_operator.store import placement
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.actions.progress import in_progress
from storefleet_operator.store.context import Deps, Next, Pass, StepFailed, decide_again
from storefleet_operator.store.snapshot import RolloutView, WorkloadProgress

log = logging.getLogger(__name__)
POLL_SECONDS: Final = 2.0
"""How often a rollout is looked at once it takes a while (helm --wait polls every 2 s too)."""
FIRST_POLLS: Final = (0.5, 1.0)
"""The first looks come sooner: most rollouts of a fresh store finish within seconds."""


def poll_delay(elapsed: float, timeout: float) -> float:
    """Seconds until the next look: quick at first, then every POLL_SECONDS, never past the deadline."""
    delay = POLL_SECONDS
    budget = 0.0
    for first in FIRST_POLLS:
        budget += first
        if elapsed < budget:
            delay = first
            break
    return min(delay, max(0.1, timeout - elapsed + 0.1))


def elapsed_seconds(status: StoreStatus, now: datetime) -> float:
    step = st.get_step(status, st.STEP_ROLLOUT)
    if step is None or step.started_at is None:
        return 0.0
    return max(0.0, (now - step.started_at).total_seconds())


def pods_to_recreate(workload: WorkloadProgress, pods: Sequence[Mapping[str, Any]]) -> list[str]:
    """Pods of an updating StatefulSet that are not ready and still run an old revision.

    A StatefulSet rolling update (OrderedReady) waits for such a pod to become ready before it replaces
    it, which never happens if the old revision itself was broken: the documented "forced rollback"
    case, where the fix is to delete the pod (kubernetes/kubernetes#67250). Ready pods are never touched.
    """
    if not workload.updating:
        return []
    names = []
    for pod in pods:
        meta = pod.get("metadata") or {}
        revision = (meta.get("labels") or {}).get("controller-revision-hash")
        conditions = (pod.get("status") or {}).get("conditions") or []
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
        if revision != workload.update_revision and not ready and not meta.get("deletionTimestamp"):
            names.append(str(meta.get("name")))
    return names


async def recreate_stuck_pods(p: Pass, deps: Deps, rollout: RolloutView) -> None:
    namespace = p.snapshot.namespace
    for workload in rollout.waiting_for:
        if workload.kind != "StatefulSet" or not workload.updating:
            continue
        try:
            pods = await deps.kube.list_pods(namespace, dict(workload.selector))
            for name in pods_to_recreate(workload, pods):
                await deps.kube.delete_pod(namespace, name)
                p.emit(
                    st.normal(
                        Reason.WAITING_FOR_ROLLOUT,
                        (
                            f"Deleted pod {name}: it is not ready and runs an old revision of statefulset/"
                            f"{workload.name}, which its rolling update would wait for forever"
                        ),
                    )
                )
        except KubeError as exc:  # the timeout below still bounds the wait
            log.warning("store %s: cannot recreate stuck pods of %s: %s", p.snapshot.key, workload.name, exc)


async def look_at_placement(p: Pass, deps: Deps) -> None:
    """Set status.simulated and the Simulated condition from the nodes the store's pods run on."""
    namespace = p.snapshot.namespace
    try:
        pods = await deps.kube.list_pods(namespace, {INSTANCE_LABEL: p.store.metadata.name})
        names = placement.node_names(pods)
        nodes = dict(zip(names, await asyncio.gather(*(deps.kube.read_node(n) for n in names)), strict=True))
    except KubeError as exc:  # only a label on the store is missing; the next rollout looks again
        log.warning("store %s: cannot tell which nodes its pods run on: %s", p.snapshot.key, exc)
        return
    found = placement.placement(nodes)
    if found is None:
        return
    p.status, became = placement.with_placement(p.status, found, generation=p.generation, now=deps.clock())
    if became:  # Normal, not Warning: on a local cluster this is expected; the message says what it means
        p.emit(st.normal(Reason.SIMULATED_NODE, f"Store is simulated: {found.message()}"))


def timed_out_message(rollout: RolloutView, timeout: float) -> str:
    waiting = ", ".join(str(w) for w in rollout.waiting_for) or rollout.summary()
    return f"workloads not ready after {timeout:.0f} s: {waiting}"


def released(status: StoreStatus, *, generation: int | None, now: datetime) -> tuple[StoreStatus, str, str]:
    """Released=True once the new revision's workloads are ready; Install or Upgrade by the revision."""
    revision = status.release.revision if status.release else None
    reason = Reason.INSTALL_SUCCEEDED if revision in (None, 1) else Reason.UPGRADE_SUCCEEDED
    message = f"Revision {revision} is rolled out: every workload is ready"
    conditions = set_condition(
        status.conditions, RELEASED, "True", reason, message, observed_generation=generation, now=now
    )
    return status.model_copy(update={"conditions": conditions}), reason, message


@dataclass(frozen=True)
class WaitRollout(Action):
    needs_slot: bool = True

    async def run(self, p: Pass, deps: Deps) -> Next:
        rollout, now = p.snapshot.rollout, deps.clock()
        release_step = st.get_step(p.status, st.STEP_RELEASE)
        if release_step is not None and release_step.state == "Running":
            # decide only waits for a rollout once the release is in sync, so the helm command that
            # started this step finished while no operator watched it (a restart mid-install).
            message = "Release applied (its helm command finished while the operator was restarting)"
            p.status = st.succeed_step(p.status, st.STEP_RELEASE, message, now)
        timeout = float(deps.settings.rollout_timeout_seconds)
        step = st.get_step(p.status, st.STEP_ROLLOUT)
        first_look = step is None or step.state != "Running"
        if first_look:
            p.status = st.start_step(p.status, st.STEP_ROLLOUT, f"Waiting for workloads: {rollout.summary()}", now)
        if rollout.ready:
            p.status = st.succeed_step(p.status, st.STEP_ROLLOUT, f"Ready: {rollout.summary()}", now)
            p.status, reason, message = released(p.status, generation=p.generation, now=now)
            await look_at_placement(p, deps)
            p.status = in_progress(p.status, Reason.CONFIGURING_ENGINE, message, generation=p.generation, now=now)
            p.emit(st.normal(reason, message))
            return decide_again()  # the workloads were just observed ready
        await recreate_stuck_pods(p, deps, rollout)
        elapsed = elapsed_seconds(p.status, now)
        if elapsed > timeout:
            raise StepFailed(st.STEP_ROLLOUT, Reason.ROLLOUT_TIMED_OUT, timed_out_message(rollout, timeout))
        message = f"Waiting for workloads ({elapsed:.0f} of {timeout:.0f} s): {rollout.summary()}"
        p.status = st.progress_step(p.status, st.STEP_ROLLOUT, message)
        p.status = in_progress(p.status, Reason.WAITING_FOR_ROLLOUT, message, generation=p.generation, now=now)
        if first_look:
            p.emit(st.normal(Reason.WAITING_FOR_ROLLOUT, message))
        return Next(poll_delay(elapsed, timeout), message)
