"""What Install and Upgrade share: one ``helm upgrade --install`` with the values as data.

No ``--wait``: waiting is its own re-entrant action (WaitRollout), so a delete never queues behind a
five-minute helm call. The values digest goes into the revision's description; the next pass reads it
back from ``helm history`` to tell InSync from OutOfSync.
"""

from __future__ import annotations

from storefleet_operator.adapters.helm import HelmFailed
from storefleet_operator.models import RELEASED, ReleaseStatus, StepStatus, StoreStatus, set_condition
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.progress import in_progress
from storefleet_operator.store.context import NOW, Deps, Next, Pass, StepFailed
from storefleet_operator.store.values import release_description


def rollout_restarted(status: StoreStatus) -> StoreStatus:
    """A new revision restarts the rollout wait: its clock starts when the wait starts."""
    if st.get_step(status, st.STEP_ROLLOUT) is None:
        return status
    return st.put_step(status, StepStatus(name=st.STEP_ROLLOUT, state="Pending"))


async def apply_release(p: Pass, deps: Deps, *, verb: str, progress_reason: str, failure_reason: str, why: str) -> Next:
    desired, release = p.snapshot.desired, p.store.metadata.name
    namespace = p.snapshot.namespace
    if desired is None:
        raise StepFailed(
            st.STEP_RELEASE,
            failure_reason,
            f"cannot build the chart values: {p.snapshot.desired_error}",
            permanent=True,
        )
    now = deps.clock()
    message = f"{verb} release {release} with chart {desired.chart}{why}"
    p.status = st.start_step(p.status, st.STEP_RELEASE, message, now)
    p.status = in_progress(p.status, progress_reason, message, generation=p.generation, now=now)
    conditions = set_condition(
        p.status.conditions, RELEASED, "Unknown", progress_reason, message, observed_generation=p.generation, now=now
    )
    p.status = p.status.model_copy(update={"conditions": conditions})
    await p.confirm_wanted()
    await p.checkpoint()  # people see "Installing" while helm runs
    try:
        revision = await deps.helm.upgrade_install(
            namespace,
            release,
            deps.settings.chart_path,
            desired.values,
            description=release_description(desired.digest),
            timeout_seconds=deps.settings.helm_timeout_seconds,
        )
    except HelmFailed as exc:
        raise StepFailed(st.STEP_RELEASE, failure_reason, str(exc), permanent=exc.permanent) from None
    now = deps.clock()
    past = verb.replace("ing", "ed")
    done = f"{past} release {release}{why}: revision {revision} of {desired.chart}; waiting for its workloads"
    p.status = st.succeed_step(p.status, st.STEP_RELEASE, done, now)
    p.status = rollout_restarted(p.status).model_copy(
        update={"release": ReleaseStatus(name=release, revision=revision, chart=desired.chart)}
    )
    p.status = in_progress(p.status, progress_reason, done, generation=p.generation, now=now)
    p.emit(st.normal(progress_reason, done))
    return NOW
