"""The runner: resume, probes, bounded retries with backoff, reports and errors a person can act on."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable

import pytest
from tests.unit.engines.enginekit import POD, ScriptedExecutor, SimulatorExecutor, make_context

from storefleet_operator.contract import Reason
from storefleet_operator.engines import (
    EngineSetupError,
    ExecFailed,
    ExecResult,
    PodRef,
    RetryPolicy,
    StepProgress,
    StepState,
    medusa_recipe,
    run_recipe,
    woocommerce_recipe,
)
from storefleet_operator.engines import runner as runner_module

pytestmark = pytest.mark.unit

Sleep = Callable[[float], Awaitable[None]]
OK = ExecResult(0, "", "")
NOT_DONE = ExecResult(1, "", "")


class Recorder:
    def __init__(self) -> None:
        self.events: list[StepProgress] = []
        self.sleeps: list[float] = []

    def __call__(self, event: StepProgress) -> None:
        self.events.append(event)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def states(self, step: str) -> list[StepState]:
        return [e.state for e in self.events if e.step == step]


async def test_resume_skips_completed_steps_without_running_them() -> None:
    steps = woocommerce_recipe(make_context())
    completed = {"wait-for-wp-config", "install-wordpress-core", "install-woocommerce"}
    executor, recorder = ScriptedExecutor(), Recorder()
    executor.on(("wp", "option", "get", "woocommerce_currency"), ExecResult(0, "USD\n", ""))

    done = await run_recipe(steps, executor, completed, recorder, pod=POD, sleep=recorder.sleep)

    ran = executor.argvs()
    assert ("wp", "config", "path") not in ran
    assert not any(argv[:3] == ("wp", "core", "install") for argv in ran)
    assert not any(argv[:3] == ("wp", "plugin", "install") for argv in ran)
    assert ran[0] == ("wp", "plugin", "is-active", "woocommerce"), "resumes at the first step not done"
    for name in completed:
        assert recorder.states(name) == [StepState.SKIPPED]
    assert done == tuple(s.name for s in steps)


async def test_first_run_against_the_simulators_runs_probes_then_commands(simulators: SimulatorExecutor) -> None:
    steps = woocommerce_recipe(make_context())
    pod = PodRef("first-run", "wp-0")
    await run_recipe(steps, simulators, set(), lambda _: None, pod=pod)

    expected = []
    for step in steps:
        if step.probe:
            expected.append(list(step.probe.argv))
        expected.append(list(step.argv))
    records = simulators.records("first-run")
    assert [r["argv"] for r in records] == expected
    assert {(r["pod"], r["container"]) for r in records} == {("wp-0", "wp-cli")}


async def test_second_run_only_probes_and_repeats_idempotent_commands(simulators: SimulatorExecutor) -> None:
    steps = woocommerce_recipe(make_context())
    pod = PodRef("rerun", "wp-0")
    await run_recipe(steps, simulators, set(), lambda _: None, pod=pod)
    first = len(simulators.records("rerun"))
    recorder = Recorder()

    await run_recipe(steps, simulators, set(), recorder, pod=pod)

    second = [tuple(r["argv"]) for r in simulators.records("rerun")[first:]]
    changing = [
        ("wp", "core", "install"),
        ("wp", "plugin", "install"),
        ("wp", "plugin", "activate"),
        ("wp", "theme", "install"),
        ("wp", "theme", "activate"),
        ("wp", "wc", "shipping_zone_method", "create"),
        ("wp", "wc", "product", "create"),
    ]
    for prefix in changing:
        assert not [argv for argv in second if argv[: len(prefix)] == prefix], prefix
    probed = [s.name for s in steps if s.probe]
    assert all(recorder.states(name) == [StepState.STARTED, StepState.SKIPPED] for name in probed)
    products = await simulators.exec(
        pod, "wp-cli", ("wp", "post", "list", "--post_type=product", "--name=sample-product", "--field=ID"), None, 10
    )
    assert len(products.stdout.split()) == 1, "exactly one sample product after two runs"


async def test_a_step_that_keeps_failing_is_retried_with_bounded_exponential_backoff() -> None:
    steps = woocommerce_recipe(make_context())
    executor = ScriptedExecutor().on(("wp", "plugin", "install"), ExecResult(1, "", "Error: Download failed.\n"))
    executor.on(("wp", "plugin", "is-installed"), NOT_DONE)
    recorder = Recorder()
    policy = RetryPolicy(attempts=4, base_delay=2.0, max_delay=30.0, jitter=0.25)

    with pytest.raises(EngineSetupError) as caught:
        await run_recipe(
            steps, executor, set(), recorder, pod=POD, policy=policy, sleep=recorder.sleep, rand=lambda: 0.5
        )

    assert recorder.sleeps == [1.75, 3.5, 7.0]  # jitter takes off: 2, 4, 8 less 12.5%
    installs = [argv for argv in executor.argvs() if argv[:3] == ("wp", "plugin", "install")]
    assert len(installs) == 4
    error = caught.value
    assert (error.step, error.exit_code, error.attempts, error.reason) == (
        "install-woocommerce",
        1,
        4,
        Reason.COMMAND_FAILED,
    )
    assert str(error).startswith("Installing WooCommerce 9.5.2 (step install-woocommerce) failed after 4 attempts")
    assert "exit code 1" in str(error) and "Error: Download failed." in str(error)
    assert recorder.states("install-woocommerce") == [StepState.STARTED, *[StepState.RETRYING] * 3, StepState.FAILED]
    assert "activate-woocommerce" not in {e.step for e in recorder.events}, "nothing runs after a failed step"


async def test_backoff_is_capped_for_long_waits() -> None:
    steps = woocommerce_recipe(make_context())[:1]  # wait-for-wp-config: 12 attempts
    executor = ScriptedExecutor().on(("wp", "config", "path"), ExecResult(1, "", "Error: 'wp-config.php' not found."))
    recorder = Recorder()

    with pytest.raises(EngineSetupError):
        await run_recipe(steps, executor, set(), recorder, pod=POD, sleep=recorder.sleep, rand=lambda: 1.0)

    assert len(recorder.sleeps) == 11
    assert recorder.sleeps[:4] == [1.5, 3.0, 6.0, 12.0]
    assert recorder.sleeps[4:] == [22.5] * 7, "the 30 s cap is a true bound: jitter only takes off"


@pytest.mark.parametrize(
    ("failures", "attempt_that_succeeds"), [(0, 1), (1, 2), (3, 4)], ids=["first-try", "one-retry", "last-try"]
)
async def test_transient_failures_are_ridden_out(failures: int, attempt_that_succeeds: int) -> None:
    steps = medusa_recipe(make_context())
    health = [ExecResult(1, "", "connect ECONNREFUSED 127.0.0.1:9000\n")] * failures + [ExecResult(0, "OK\n", "")]
    executor = ScriptedExecutor().on(("storefleet-medusa", "health"), *health)
    recorder = Recorder()

    await run_recipe(steps, executor, set(), recorder, pod=POD, sleep=recorder.sleep)

    final = [e for e in recorder.events if e.step == "wait-for-medusa-health"][-1]
    assert (final.state, final.attempt) == (StepState.SUCCEEDED, attempt_that_succeeds)
    assert len(recorder.sleeps) == failures
    retry_messages = [e.message for e in recorder.events if e.state is StepState.RETRYING]
    assert all("ECONNREFUSED" in m and "retrying in" in m for m in retry_messages)


async def test_command_not_found_is_not_retried(no_wait: Sleep) -> None:
    steps = medusa_recipe(make_context())
    executor = ScriptedExecutor().on(("storefleet-medusa",), ExecResult(127, "", "exec: storefleet-medusa: not found"))

    with pytest.raises(EngineSetupError) as caught:
        await run_recipe(steps, executor, set(), lambda _: None, pod=POD, sleep=no_wait)

    assert len(executor.calls) == 1
    assert caught.value.permanent and caught.value.reason is Reason.COMMAND_NOT_FOUND
    assert "command not found in container medusa" in str(caught.value)


async def test_exec_transport_failures_are_retried_then_reported(no_wait: Sleep) -> None:
    steps = medusa_recipe(make_context())[:1]
    executor = ScriptedExecutor().on(("storefleet-medusa", "health"), ExecFailed('pods "medusa-0" not found'))

    with pytest.raises(EngineSetupError) as caught:
        await run_recipe(steps, executor, set(), lambda _: None, pod=POD, sleep=no_wait, policy=RetryPolicy(attempts=3))

    assert caught.value.reason is Reason.EXEC_FAILED and caught.value.exit_code is None
    assert "could not run in pod store-ns/shop-wordpress-0" in str(caught.value)
    assert len(executor.calls) == 15, "the wait step's own bound (15) wins over the policy's"


async def test_an_executor_that_never_answers_counts_as_a_failed_attempt(
    monkeypatch: pytest.MonkeyPatch, no_wait: Sleep
) -> None:
    monkeypatch.setattr(runner_module, "EXEC_GRACE_SECONDS", 0.01)
    steps = medusa_recipe(make_context())[2:3]  # set-store-name, 60 s timeout
    object.__setattr__(steps[0], "timeout_seconds", 0.01)

    async def hang(*_: object) -> ExecResult:
        await asyncio.sleep(3600)
        return OK

    executor = ScriptedExecutor()
    executor.exec = hang  # type: ignore[method-assign]
    with pytest.raises(EngineSetupError) as caught:
        await run_recipe(steps, executor, set(), lambda _: None, pod=POD, sleep=no_wait, policy=RetryPolicy(attempts=2))
    assert caught.value.reason is Reason.EXEC_FAILED
    assert "no answer from the pod" in str(caught.value)


async def test_verification_fails_the_recipe_when_output_is_wrong(no_wait: Sleep) -> None:
    steps = woocommerce_recipe(make_context(currency="USD"))
    executor = ScriptedExecutor().on(("wp", "option", "get", "woocommerce_currency"), ExecResult(0, "GBP\n", ""))
    executor.on(("wp", "post", "list"), ExecResult(0, "7\n", ""))

    with pytest.raises(EngineSetupError) as caught:
        await run_recipe(steps, executor, set(), lambda _: None, pod=POD, sleep=no_wait)

    assert caught.value.step == "verify-currency" and caught.value.reason is Reason.VERIFICATION_FAILED
    assert "expected output matching 'USD', got 'GBP'" in str(caught.value)
    assert caught.value.attempts == 3


async def test_secrets_are_redacted_from_errors_and_progress(no_wait: Sleep) -> None:
    password = 'pa"ss-$(word)-xyzzy'
    ctx = make_context(password=password)
    steps = medusa_recipe(ctx)
    stdin = next(s.stdin for s in steps if s.stdin)
    leaky = (
        f"SyntaxError: Unexpected token in JSON: {stdin}\n"
        f'  at parse ("password":"pa\\"ss-$(word)-xyzzy")\n  raw password was {password}\n'
    )
    executor = ScriptedExecutor().on(("storefleet-medusa", "ensure-admin"), ExecResult(1, leaky, leaky))
    recorder = Recorder()

    with pytest.raises(EngineSetupError) as caught:
        await run_recipe(steps, executor, set(), recorder, pod=POD, sleep=no_wait)

    texts = [str(caught.value), caught.value.stderr_tail, *(e.message for e in recorder.events)]
    for text in texts:
        assert "xyzzy" not in text
    assert "[REDACTED]" in str(caught.value)


async def test_durations_come_from_the_clock_and_async_callbacks_are_awaited() -> None:
    steps = medusa_recipe(make_context())
    ticks = itertools.count(start=100.0, step=0.25)
    seen: list[StepProgress] = []

    async def on_progress(event: StepProgress) -> None:
        await asyncio.sleep(0)
        seen.append(event)

    await run_recipe(steps, ScriptedExecutor(), set(), on_progress, pod=POD, clock=lambda: next(ticks))

    finished = [e for e in seen if e.state is StepState.SUCCEEDED]
    assert [e.step for e in finished] == [s.name for s in steps]
    assert all(e.duration_ms == 250 for e in finished)
    assert all(e.duration_ms is None for e in seen if e.state is StepState.STARTED)


async def test_a_probe_that_cannot_run_is_a_failed_attempt(no_wait: Sleep) -> None:
    steps = woocommerce_recipe(make_context())[1:2]  # install-wordpress-core, probed
    executor = ScriptedExecutor().on(("wp", "core", "is-installed"), ExecFailed("connection reset"), NOT_DONE)

    await run_recipe(steps, executor, set(), lambda _: None, pod=POD, sleep=no_wait)

    assert executor.argvs()[:2] == [("wp", "core", "is-installed"), ("wp", "core", "is-installed")]
    assert executor.argvs()[2][:3] == ("wp", "core", "install")
