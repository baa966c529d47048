"""WaitRollout: short looks, per-workload progress, a timeout that names what is not ready."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.unit.operator.storekit import (
    T0,
    Clock,
    MemoryKube,
    conditions_of,
    converged,
    deps,
    make_pass,
    store,
    with_adapters,
)

from storefleet_operator.models import Reason
from storefleet_operator.store.actions import wait_rollout
from storefleet_operator.store.actions.wait_rollout import WaitRollout
from storefleet_operator.store.context import StepFailed
from storefleet_operator.store.snapshot import RolloutView, WorkloadProgress

pytestmark = pytest.mark.unit

WAITING = RolloutView(
    (
        WorkloadProgress("Deployment", "shop-wordpress", 1, 1, True),
        WorkloadProgress("StatefulSet", "shop-mariadb", 0, 1, True),
    )
)


def started(seconds_ago: float, revision: int = 1) -> object:
    return store(
        status={
            "release": {"name": "shop", "revision": revision},
            "steps": [
                {
                    "name": "wait-for-rollout",
                    "state": "Running",
                    "attempts": 1,
                    "startedAt": (T0 - timedelta(seconds=seconds_ago)).isoformat(),
                }
            ],
        }
    )


async def test_the_first_look_starts_the_clock_reports_progress_and_polls() -> None:
    p = make_pass(converged(store(), rollout=WAITING, released=False))
    nxt = await WaitRollout().run(p, deps())
    [step] = p.status.steps
    assert (step.name, step.state, step.started_at) == ("wait-for-rollout", "Running", T0)
    assert "statefulset/shop-mariadb 0/1 ready" in (step.message or "")
    assert nxt.delay == wait_rollout.FIRST_POLLS[0]
    assert [e.reason for e in p.events] == [Reason.WAITING_FOR_ROLLOUT]
    assert conditions_of(p.status)["Reconciling"].reason == Reason.WAITING_FOR_ROLLOUT


async def test_later_looks_keep_the_clock_and_emit_no_new_event() -> None:
    p = make_pass(converged(started(20), rollout=WAITING, released=False))  # type: ignore[arg-type]
    await WaitRollout().run(p, deps())
    [step] = p.status.steps
    assert step.started_at == T0 - timedelta(seconds=20)
    assert "(20 of 60 s)" in (step.message or "")
    assert p.events == []


async def test_a_timeout_fails_the_step_naming_the_workload_that_is_not_ready() -> None:
    p = make_pass(converged(started(61), rollout=WAITING, released=False))  # type: ignore[arg-type]
    with pytest.raises(StepFailed) as failed:
        await WaitRollout().run(p, deps())
    assert (failed.value.step, failed.value.reason) == ("wait-for-rollout", Reason.ROLLOUT_TIMED_OUT)
    assert "statefulset/shop-mariadb 0/1 ready" in failed.value.message
    assert "deployment/shop-wordpress" not in failed.value.message


@pytest.mark.parametrize(
    ("revision", "reason"),
    [pytest.param(1, Reason.INSTALL_SUCCEEDED, id="install"), pytest.param(2, Reason.UPGRADE_SUCCEEDED, id="upgrade")],
)
async def test_ready_workloads_mark_the_release_released(revision: int, reason: str) -> None:
    clock = Clock(T0)
    p = make_pass(converged(started(3, revision), released=False))  # type: ignore[arg-type]
    await WaitRollout().run(p, with_adapters(deps(clock=clock)))
    released = conditions_of(p.status)["Released"]
    assert (released.status, released.reason) == ("True", reason)
    [step] = p.status.steps
    assert (step.state, step.duration_ms) == ("Succeeded", 3000)
    assert [e.reason for e in p.events] == [reason]


async def test_a_helm_step_left_running_by_a_restart_is_closed_once_the_release_is_in_sync() -> None:
    """The operator was killed while helm installed; helm finished; the new operator only waits for the
    rollout, so without this the store would read Ready with its helm-release step still Running."""
    s = store(
        status={
            "release": {"name": "shop", "revision": 1},
            "steps": [{"name": "helm-release", "state": "Running", "attempts": 1, "startedAt": T0.isoformat()}],
        }
    )
    p = make_pass(converged(s, released=False))  # type: ignore[arg-type]
    await WaitRollout().run(p, with_adapters(deps(clock=Clock(T0))))
    steps = {step.name: step.state for step in p.status.steps}
    assert steps == {"helm-release": "Succeeded", "wait-for-rollout": "Succeeded"}


def pod(name: str, revision: str, ready: bool) -> dict[str, object]:
    return {
        "metadata": {"name": name, "labels": {"app": "db", "controller-revision-hash": revision}},
        "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}]},
    }


UPDATING = WorkloadProgress(
    "StatefulSet", "shop-mariadb", 0, 1, False, current_revision="old", update_revision="new", selector=(("app", "db"),)
)


@pytest.mark.parametrize(
    ("workload", "pods", "victims"),
    [
        pytest.param(UPDATING, [pod("db-0", "old", False)], ["db-0"], id="unready-old-revision-is-recreated"),
        pytest.param(UPDATING, [pod("db-0", "old", True)], [], id="ready-pod-is-never-touched"),
        pytest.param(UPDATING, [pod("db-0", "new", False)], [], id="new-revision-is-left-to-start"),
        pytest.param(
            WorkloadProgress("StatefulSet", "db", 0, 1, True, current_revision="a", update_revision="a"),
            [pod("db-0", "a", False)],
            [],
            id="first-rollout-is-left-alone",
        ),
    ],
)
def test_only_unready_pods_of_an_old_revision_are_recreated(
    workload: WorkloadProgress, pods: list[dict[str, object]], victims: list[str]
) -> None:
    assert wait_rollout.pods_to_recreate(workload, pods) == victims


async def test_a_statefulset_stuck_on_a_broken_revision_gets_its_pod_recreated() -> None:
    kube = MemoryKube()
    kube.pods = [pod("shop-mariadb-0", "old", False)]
    p = make_pass(converged(started(5), rollout=RolloutView((UPDATING,)), released=False))  # type: ignore[arg-type]
    await WaitRollout().run(p, with_adapters(deps(), kube))
    assert kube.deleted_pods == ["shop-mariadb-0"]
    assert "Deleted pod shop-mariadb-0" in p.events[0].message


@pytest.mark.parametrize(
    ("elapsed", "delay"),
    [(0.0, 0.5), (0.6, 1.0), (1.6, 2.0), (30.0, 2.0), (59.5, 0.6), (61.0, 0.1)],
)
def test_looks_are_quick_at_first_then_every_two_seconds_and_never_past_the_deadline(
    elapsed: float, delay: float
) -> None:
    assert wait_rollout.poll_delay(elapsed, 60.0) == pytest.approx(delay)
