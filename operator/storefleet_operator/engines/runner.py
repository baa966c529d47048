"""Run a recipe's steps in a pod: resume, probe, retry with backoff, report, fail with a reason.

The runner owns the policy, not the I/O: commands go through an ``Executor`` and time through injected
``sleep``/``clock``/``rand``, so every path is tested without a cluster or real waiting. Progress goes
to a callback (the operator turns it into status steps and events); a ``succeeded`` or ``skipped``
report means the step's name belongs in ``status.setup.completedSteps``. Nothing the runner reports or
raises contains stdin or a value marked secret.
"""

from __future__ import annotations

import asyncio
import enum
import inspect
import random
import re
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Final

from storefleet_operator.contract import Reason
from storefleet_operator.retry import RetryPolicy

from .redaction import Redactor, tail_lines
from .steps import ExecFailed, ExecResult, Executor, PodRef, SetupStep

EXEC_GRACE_SECONDS: Final = 10.0
"""Extra time given to an executor past the step timeout before the runner gives up on it (the
executor enforces the timeout itself; this guards against one that hangs while connecting)."""

DEFAULT_POLICY: Final = RetryPolicy()

# Exit statuses that mean the program is not there or cannot run: retrying cannot help.
_NOT_RUNNABLE: Final = {126: "command cannot be executed", 127: "command not found"}


class StepState(enum.StrEnum):
    STARTED = "started"
    SUCCEEDED = "succeeded"
    SKIPPED = "skipped"
    RETRYING = "retrying"
    FAILED = "failed"


@dataclass(frozen=True)
class StepProgress:
    step: str
    title: str
    state: StepState
    attempt: int
    duration_ms: int | None
    message: str


ProgressCallback = Callable[[StepProgress], Awaitable[None] | None]


class EngineSetupError(Exception):
    """A step failed for good. The message is safe to show the store owner (secrets redacted)."""

    def __init__(
        self,
        *,
        step: str,
        title: str,
        reason: str,
        attempts: int,
        exit_code: int | None,
        detail: str,
        stderr_tail: str,
        permanent: bool,
    ) -> None:
        self.step = step
        self.title = title
        self.reason = reason
        self.attempts = attempts
        self.exit_code = exit_code
        self.detail = detail
        self.stderr_tail = stderr_tail
        self.permanent = permanent
        tries = "attempt" if attempts == 1 else "attempts"
        message = f"{title} (step {step}) failed after {attempts} {tries}: {detail}"
        if stderr_tail:
            message += f"; last stderr lines:\n{stderr_tail}"
        super().__init__(message)


@dataclass(frozen=True)
class _Outcome:
    done: bool
    skipped: bool = False
    reason: str | None = None
    exit_code: int | None = None
    detail: str = ""
    stderr_tail: str = ""

    @property
    def permanent(self) -> bool:
        return self.reason == Reason.COMMAND_NOT_FOUND


async def run_recipe(
    steps: Sequence[SetupStep],
    executor: Executor,
    completed: Collection[str],
    on_progress: ProgressCallback,
    *,
    pod: PodRef,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
    rand: Callable[[], float] = random.random,  # jitter only; nothing secret depends on it
) -> tuple[str, ...]:
    """Run ``steps`` in order in ``pod``; return the names of the steps that are now done.

    Steps named in ``completed`` are reported as skipped and not run. For the others the probe (if any)
    runs first on every attempt, so a step that succeeded just before a timeout is not repeated.
    Raises ``EngineSetupError`` when a step's attempts are exhausted or retrying cannot help.
    """
    redact = Redactor(secret for step in steps for secret in step.redactions())
    done: list[str] = []

    async def report(step: SetupStep, state: StepState, attempt: int, started: float | None, msg: str) -> None:
        duration = None if started is None else round((clock() - started) * 1000)
        result = on_progress(StepProgress(step.name, step.title, state, attempt, duration, redact(msg)))
        if inspect.isawaitable(result):
            await result

    for step in steps:
        if step.name in completed:
            await report(step, StepState.SKIPPED, 0, None, "completed in an earlier run")
            done.append(step.name)
            continue
        bound = step.attempts or policy.attempts
        started = clock()
        await report(step, StepState.STARTED, 1, None, step.title)
        for attempt in range(1, bound + 1):
            outcome = await _attempt(step, executor, pod, redact)
            if outcome.done:
                state = StepState.SKIPPED if outcome.skipped else StepState.SUCCEEDED
                await report(step, state, attempt, started, "already done" if outcome.skipped else "done")
                done.append(step.name)
                break
            if attempt == bound or outcome.permanent:
                await report(step, StepState.FAILED, attempt, started, _summary(outcome))
                assert outcome.reason is not None
                raise EngineSetupError(
                    step=step.name,
                    title=step.title,
                    reason=outcome.reason,
                    attempts=attempt,
                    exit_code=outcome.exit_code,
                    detail=outcome.detail,
                    stderr_tail=outcome.stderr_tail,
                    permanent=outcome.permanent,
                )
            delay = policy.delay(attempt, rand())
            await report(
                step,
                StepState.RETRYING,
                attempt,
                started,
                f"attempt {attempt}/{bound} failed: {_summary(outcome)}; retrying in {delay:.1f} s",
            )
            await sleep(delay)
    return tuple(done)


def _summary(outcome: _Outcome) -> str:
    last = outcome.stderr_tail.splitlines()[-1] if outcome.stderr_tail else ""
    return f"{outcome.detail}: {last}" if last else outcome.detail


async def _run(
    executor: Executor,
    pod: PodRef,
    container: str,
    argv: Sequence[str],
    stdin: str | None,
    timeout: float,  # noqa: ASYNC109 - the executor enforces it remotely; wait_for below is a backstop
) -> ExecResult:
    try:
        return await asyncio.wait_for(executor.exec(pod, container, argv, stdin, timeout), timeout + EXEC_GRACE_SECONDS)
    except TimeoutError as exc:
        raise ExecFailed(f"no answer from the pod within {timeout:.0f} s") from exc


async def _attempt(step: SetupStep, executor: Executor, pod: PodRef, redact: Redactor) -> _Outcome:
    try:
        if step.probe is not None:
            probe = await _run(executor, pod, step.container, step.probe.argv, None, step.probe.timeout_seconds)
            if step.probe.says_done(probe):
                return _Outcome(done=True, skipped=True)
        result = await _run(executor, pod, step.container, step.argv, step.stdin, step.timeout_seconds)
    except ExecFailed as exc:
        return _Outcome(done=False, reason=Reason.EXEC_FAILED, detail=f"could not run in pod {pod}: {redact(str(exc))}")
    stderr_tail = tail_lines(redact(result.stderr))
    if result.exit_code in _NOT_RUNNABLE:
        return _Outcome(
            done=False,
            reason=Reason.COMMAND_NOT_FOUND,
            exit_code=result.exit_code,
            detail=f"{step.argv[0]}: {_NOT_RUNNABLE[result.exit_code]} in container "
            f"{step.container} (exit code {result.exit_code})",
            stderr_tail=stderr_tail,
        )
    if result.exit_code != 0:
        return _Outcome(
            done=False,
            reason=Reason.COMMAND_FAILED,
            exit_code=result.exit_code,
            detail=f"exit code {result.exit_code}",
            stderr_tail=stderr_tail,
        )
    if step.expect_stdout is not None and not re.fullmatch(step.expect_stdout, result.stdout.strip()):
        shown = tail_lines(redact(result.stdout), lines=1, width=80) or "nothing"
        return _Outcome(
            done=False,
            reason=Reason.VERIFICATION_FAILED,
            exit_code=0,
            detail=f"expected output matching {step.expect_stdout!r}, got {shown!r}",
            stderr_tail=stderr_tail,
        )
    return _Outcome(done=True)
