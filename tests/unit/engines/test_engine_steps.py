"""What a step refuses to be, and what it shows of itself."""

from __future__ import annotations

import pytest

from storefleet_operator.engines import ExecResult, Probe, SetupStep, SkipWhen

pytestmark = pytest.mark.unit


def test_repr_and_str_never_show_stdin_or_secrets() -> None:
    step = SetupStep(
        name="make-admin",
        title="Make admin",
        container="c",
        argv=("tool", "admin"),
        stdin='{"password": "hunter2-xyz"}',
        secrets=("hunter2-xyz",),
    )
    for text in (repr(step), str(step), f"{step}", repr([step])):
        assert "hunter2-xyz" not in text
        assert "stdin=<redacted>" in text
        assert "make-admin" in text


def test_repr_says_when_there_is_no_stdin() -> None:
    step = SetupStep(name="plain", title="Plain", container="c", argv=("tool",))
    assert "stdin=None" in repr(step)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "Install_Core"}, "kebab-case"),
        ({"name": "install core"}, "kebab-case"),
        ({"argv": ()}, "non-empty"),
        ({"argv": ["wp", "core"]}, "tuple"),
        ({"argv": ("sh", "-c", "wp core install --admin_password=$PW")}, "shell"),
        ({"argv": ("/bin/bash", "-lc", "x")}, None),  # -lc is not -c: allowed, though nothing uses it
        ({"argv": ("wp", "option", "update", "x", "a\x00b")}, "NUL"),
        ({"timeout_seconds": 0}, "timeout"),
        ({"attempts": 0}, "attempts"),
    ],
    ids=["capitals", "space", "empty-argv", "list-argv", "shell-c", "bash-lc", "nul", "zero-timeout", "zero-attempts"],
)
def test_step_validation(kwargs: dict[str, object], message: str | None) -> None:
    fields: dict[str, object] = {"name": "some-step", "title": "Some step", "container": "c", "argv": ("tool",)}
    fields.update(kwargs)
    if message is None:
        SetupStep(**fields)  # type: ignore[arg-type]
        return
    with pytest.raises((ValueError, TypeError), match=message):
        SetupStep(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("skip_when", "result", "done"),
    [
        (SkipWhen.EXIT_ZERO, ExecResult(0, "", ""), True),
        (SkipWhen.EXIT_ZERO, ExecResult(1, "", "Error"), False),
        (SkipWhen.STDOUT_NONEMPTY, ExecResult(0, "42\n", ""), True),
        (SkipWhen.STDOUT_NONEMPTY, ExecResult(0, " \n", ""), False),
        (SkipWhen.STDOUT_NONEMPTY, ExecResult(1, "42\n", ""), False),
    ],
    ids=["exit-0", "exit-1", "listed", "empty-list", "listed-but-failed"],
)
def test_probe_decides_done(skip_when: SkipWhen, result: ExecResult, done: bool) -> None:
    assert Probe(("wp", "x"), skip_when).says_done(result) is done
