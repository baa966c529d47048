"""ConfigureEngine: the recipe runs in the store's pod, finished steps are persisted as they go (at
most every CHECKPOINT_EVERY_SECONDS), and a new run resumes after the last persisted step. Commands run
against the fakebin simulators locally."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import Any

import pytest
from tests.unit.engines.enginekit import SimulatorExecutor
from tests.unit.operator.storekit import (
    NAMESPACE,
    T0,
    MemoryKube,
    conditions_of,
    converged,
    deps,
    make_pass,
    store,
    with_adapters,
)

from storefleet_operator.engines import PodRef, StepProgress, StepState
from storefleet_operator.models import Reason, StoreStatus
from storefleet_operator.store.actions import configure_engine
from storefleet_operator.store.actions.configure_engine import ConfigureEngine
from storefleet_operator.store.context import StepFailed
from storefleet_operator.store.status import STEP_ROLLOUT

pytestmark = pytest.mark.unit
POD = PodRef(NAMESPACE, "shop-wordpress-abc")
CREDENTIALS = {"admin-username": "admin", "admin-email": "owner@shop.test", "admin-password": "pa55-w0rd"}


def kube_with_pod() -> MemoryKube:
    kube = MemoryKube()
    kube.secrets[(NAMESPACE, "shop-credentials")] = {"stringData": CREDENTIALS}
    kube.pod = POD
    return kube


def tracked_pass(s: Any) -> tuple[Any, list[StoreStatus]]:
    p = make_pass(converged(s, engine_configured=False))
    written: list[StoreStatus] = []

    async def checkpoint() -> None:
        written.append(p.status)

    p.checkpoint = checkpoint
    return p, written


async def test_every_step_runs_in_order_and_slow_steps_are_persisted_as_they_finish(tmp_path: Path) -> None:
    simulators = SimulatorExecutor(tmp_path)
    p, written = tracked_pass(store(engine="medusa"))
    ticks = itertools.count(step=configure_engine.CHECKPOINT_EVERY_SECONDS)  # each look: one interval later
    slow = dataclasses.replace(deps(), monotonic=lambda: float(next(ticks)))
    await ConfigureEngine().run(p, with_adapters(slow, kube_with_pod(), executor=simulators))
    names = ["wait-for-medusa-health", "ensure-admin-user", "set-store-name", "verify-medusa-catalog"]
    assert [s.name for s in p.status.steps] == names
    assert all(s.state in ("Succeeded", "Skipped") for s in p.status.steps)
    assert p.status.setup is not None and p.status.setup.completed_steps == names
    # Each finished step was written before the next one started.
    persisted = [w.setup.completed_steps for w in written if w.setup is not None]
    for i in range(1, len(names) + 1):
        assert names[:i] in persisted
    engine = conditions_of(p.status)["EngineConfigured"]
    assert (engine.status, engine.reason, engine.observed_generation) == ("True", Reason.ENGINE_CONFIGURED, 1)
    assert [e.reason for e in p.events] == [Reason.CONFIGURING_ENGINE, Reason.ENGINE_CONFIGURED]
    assert {(c[0], c[1]) for c in simulators.calls} == {(POD, "medusa")}


async def test_quick_steps_are_left_to_the_end_of_pass_write(tmp_path: Path) -> None:
    """Steps that finish within CHECKPOINT_EVERY_SECONDS of the last write cost no status write of
    their own: the pass writes its status once when it ends (the reconciler's job)."""
    p, written = tracked_pass(store(engine="medusa"))
    await ConfigureEngine().run(p, with_adapters(deps(), kube_with_pod(), executor=SimulatorExecutor(tmp_path)))
    assert written == []
    assert p.status.setup is not None and len(p.status.setup.completed_steps) == 4


async def test_a_new_run_resumes_after_the_last_finished_step(tmp_path: Path) -> None:
    simulators = SimulatorExecutor(tmp_path)
    done = {"recipeVersion": "medusa/1", "completedSteps": ["wait-for-medusa-health", "ensure-admin-user"]}
    p, _ = tracked_pass(store(engine="medusa", status={"setup": done}))
    await ConfigureEngine().run(p, with_adapters(deps(), kube_with_pod(), executor=simulators))
    ran = [call[2][1] for call in simulators.calls]
    assert ran == ["set-store-name", "verify"]
    assert p.events[-1].reason == Reason.ENGINE_CONFIGURED


async def test_completed_steps_of_another_recipe_version_do_not_count() -> None:
    status = StoreStatus.model_validate({"setup": {"recipeVersion": "medusa/0", "completedSteps": ["x"]}})
    recipe = configure_engine.recipe_for(
        "medusa",
        configure_engine.SetupContext(
            "Shop", "http://s.localhost", configure_engine.AdminCredentials("admin", "a@b.co", "pw")
        ),
    )
    assert configure_engine.completed_for(status, recipe) == []


async def test_a_failing_command_fails_the_store_with_the_step_and_no_secret(tmp_path: Path) -> None:
    simulators = SimulatorExecutor(tmp_path)
    simulators.add_fault(
        namespace="*",
        argv_prefix=["storefleet-medusa", "set-store-name"],
        exit=1,
        stderr=f"Error: database is read-only {CREDENTIALS['admin-password']}",
    )
    p, _ = tracked_pass(store(engine="medusa"))
    d = with_adapters(
        deps(retry_base_delay_seconds=0.01, retry_max_delay_seconds=0.02), kube_with_pod(), executor=simulators
    )
    with pytest.raises(StepFailed) as failed:
        await ConfigureEngine().run(p, d)
    assert (failed.value.step, failed.value.reason, failed.value.final) == (
        "set-store-name",
        Reason.ENGINE_SETUP_FAILED,
        True,
    )
    assert "database is read-only" in failed.value.message
    assert CREDENTIALS["admin-password"] not in failed.value.message
    [step] = [s for s in p.status.steps if s.name == "set-store-name"]
    assert (step.state, step.attempts) == ("Failed", 3)
    assert p.status.setup is not None and "set-store-name" not in p.status.setup.completed_steps


async def test_no_pod_fails_the_next_step_and_is_retried() -> None:
    kube = kube_with_pod()
    kube.pod = None
    p, _ = tracked_pass(store())
    with pytest.raises(StepFailed) as failed:
        await ConfigureEngine().run(p, with_adapters(deps(), kube))
    assert failed.value.step == "wait-for-wp-config"
    assert not failed.value.final and "no pod to run setup in" in failed.value.message


async def test_a_pass_hands_back_control_between_steps_when_asked_to_stop(tmp_path: Path) -> None:
    p, _ = tracked_pass(store(engine="medusa"))
    p.stopping = lambda: True
    nxt = await ConfigureEngine().run(p, with_adapters(deps(), kube_with_pod(), executor=SimulatorExecutor(tmp_path)))
    assert nxt.delay == 0.0 and "wait-for-medusa-health" in nxt.message
    assert all(s.name == STEP_ROLLOUT or s.state != "Running" for s in p.status.steps)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        pytest.param(StepState.STARTED, ("Running", 1), id="started"),
        pytest.param(StepState.SUCCEEDED, ("Succeeded", 2), id="succeeded"),
        pytest.param(StepState.SKIPPED, ("Succeeded", 1), id="skipped-by-probe"),
        pytest.param(StepState.FAILED, ("Failed", 4), id="failed"),
    ],
)
def test_runner_reports_become_status_steps(state: StepState, expected: tuple[str, int]) -> None:
    attempt = {StepState.STARTED: 1, StepState.SUCCEEDED: 2, StepState.SKIPPED: 0, StepState.FAILED: 4}[state]
    report = StepProgress("set-currency", "Setting the currency", state, attempt, 10, "message")
    status = configure_engine.apply_progress(StoreStatus(), report, T0)
    [step] = status.steps
    assert (step.state, step.attempts) == expected
