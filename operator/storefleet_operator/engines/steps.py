"""What one engine setup step is, and the contract of whatever runs it in a pod.

Pure data: a step is an argv list (never a shell line), optional stdin (the only way a secret reaches a
command), an optional probe that says "already done", a timeout and an optional output check. The
``Executor`` protocol is the seam to the Kubernetes exec API (``adapters/execs.py``) and to test fakes.
Nothing here does I/O.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

STEP_NAME_PATTERN: Final = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
"""Step names are stored in ``status.setup.completedSteps`` and shown in ``kubectl describe``: stable
kebab-case, never derived from user input."""

_SHELLS: Final = frozenset({"sh", "bash", "dash", "ash", "zsh", "busybox"})


@dataclass(frozen=True)
class PodRef:
    """The pod a recipe runs in."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class ExecResult:
    """What a finished command returned. ``exit_code`` is the process's own exit status."""

    exit_code: int
    stdout: str
    stderr: str


class ExecFailed(Exception):
    """The command could not be run or did not finish (connection refused, pod gone, timeout).

    Executors raise this instead of returning an ``ExecResult``; the message must never contain the
    command's stdin.
    """


class Executor(Protocol):
    """Runs one argv in one container of one pod and reports how it ended."""

    # The timeout is a parameter, not an asyncio.timeout around the call, because it must bound the
    # command on the far side of the exec stream too (the call itself may block in a worker thread).
    async def exec(
        self,
        pod: PodRef,
        container: str,
        argv: Sequence[str],
        stdin: str | None,
        timeout: float,  # noqa: ASYNC109
    ) -> ExecResult: ...


class SkipWhen(enum.Enum):
    """How a probe's result means "this step is already done"."""

    EXIT_ZERO = "exit-zero"
    """The probe exited 0 (``wp core is-installed``, ``wp plugin is-active``)."""
    STDOUT_NONEMPTY = "stdout-nonempty"
    """The probe exited 0 and printed something (a list command that prints ids only when there are
    some, like ``wp post list --name=sample-product --field=ID``)."""


@dataclass(frozen=True)
class Probe:
    """A read-only command whose answer decides whether the step still has to run."""

    argv: tuple[str, ...]
    skip_when: SkipWhen = SkipWhen.EXIT_ZERO
    timeout_seconds: float = 60.0

    def __post_init__(self) -> None:
        _check_argv(self.argv, "probe")

    def says_done(self, result: ExecResult) -> bool:
        if result.exit_code != 0:
            return False
        if self.skip_when is SkipWhen.STDOUT_NONEMPTY:
            return bool(result.stdout.strip())
        return True


@dataclass(frozen=True, repr=False)
class SetupStep:
    """One command of an engine setup recipe.

    ``title`` is the store-facing label (events, status, error messages); ``name`` is the stable id used
    for resuming. ``secrets`` lists values that must be redacted from any captured output besides
    ``stdin`` itself (for example the password inside a JSON document on stdin).
    """

    name: str
    title: str
    container: str
    argv: tuple[str, ...]
    stdin: str | None = field(default=None, compare=False)
    probe: Probe | None = None
    timeout_seconds: float = 60.0
    expect_stdout: str | None = None
    """A regular expression the stripped stdout must match in full, or the step fails (verification)."""
    attempts: int | None = None
    """Overrides the retry policy's attempt bound (waits for a pod to come up need more)."""
    secrets: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not STEP_NAME_PATTERN.fullmatch(self.name):
            raise ValueError(f"step name {self.name!r} must be kebab-case")
        _check_argv(self.argv, f"step {self.name}")
        if self.timeout_seconds <= 0:
            raise ValueError(f"step {self.name}: timeout must be positive")
        if self.attempts is not None and self.attempts < 1:
            raise ValueError(f"step {self.name}: attempts must be at least 1")
        if self.expect_stdout is not None:
            re.compile(self.expect_stdout)

    def redactions(self) -> tuple[str, ...]:
        """Every value that must never appear in logs, status or error messages for this step."""
        values = [*self.secrets]
        if self.stdin is not None:
            values.append(self.stdin)
        return tuple(v for v in values if v)

    def __repr__(self) -> str:
        # stdin and secrets are shown only as present/absent: a repr ends up in logs and tracebacks.
        stdin = "<redacted>" if self.stdin is not None else "None"
        return (
            f"SetupStep(name={self.name!r}, container={self.container!r}, argv={self.argv!r}, "
            f"stdin={stdin}, probe={self.probe!r}, timeout_seconds={self.timeout_seconds!r}, "
            f"expect_stdout={self.expect_stdout!r}, attempts={self.attempts!r})"
        )

    __str__ = __repr__


def _check_argv(argv: tuple[str, ...], what: str) -> None:
    if not isinstance(argv, tuple) or not argv:
        raise ValueError(f"{what}: argv must be a non-empty tuple of strings")
    for element in argv:
        if not isinstance(element, str):
            raise TypeError(f"{what}: argv elements must be strings")
        if "\x00" in element:
            # execve cannot carry NUL; a truncated argument would silently change the command.
            raise ValueError(f"{what}: an argv element contains a NUL character")
    program = argv[0].rsplit("/", 1)[-1]
    if program in _SHELLS and "-c" in argv[1:]:
        raise ValueError(f"{what}: shell command lines are not allowed; pass an argv list instead")
