"""Shared plumbing of the recording simulators in this directory (``wp``, ``storefleet-medusa``).

Not the real tools: stand-ins that kwok's ``exec`` runs on the local control plane, so tests can assert
which commands ran, where, and with what on stdin (as a SHA-256, never the bytes). Each call:

1. reads its identity from ``STOREFLEET_NAMESPACE``/``POD``/``CONTAINER`` (defaults when run by hand);
2. under a per-namespace file lock, loads the namespace's simulated state, applies any matching fault
   rule from ``faults.json`` (counting how often it fired), else runs the command against the state; a
   rule with ``delay_seconds`` and no ``exit`` only slows the call down;
3. appends one JSON line to ``$STOREFLEET_EXEC_LOG`` (or prints it to stderr when that is unset).

Standard library only: these run under the host's ``/usr/bin/python3``, not the project venv.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import fnmatch
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

State = dict[str, Any]


@dataclass
class Result:
    exit: int = 0
    stdout: str = ""
    stderr: str = ""


@dataclass
class Call:
    tool: str
    argv: list[str]
    namespace: str
    pod: str
    container: str
    stdin_sha256: str | None = None
    _stdin: bytes | None = field(default=None, repr=False)

    def read_stdin(self) -> str:
        """One line of stdin, newline included (read once; only commands that read stdin call this).

        A line, never "until end of file": kwok v0.8.0 copies the exec stream into the process's stdin
        pipe without closing it (pkg/utils/exec/exec.go), so end-of-file never arrives. Everything the
        recipes send on stdin is one line, like WP-CLI's ``--prompt`` reads it.
        """
        if self._stdin is None:
            self._stdin = b"" if sys.stdin is None or sys.stdin.closed else sys.stdin.buffer.readline()
            if self._stdin:
                self.stdin_sha256 = hashlib.sha256(self._stdin).hexdigest()
        return self._stdin.decode("utf-8", errors="replace")


def base_dir() -> Path:
    log = os.environ.get("STOREFLEET_EXEC_LOG")
    if log:
        return Path(log).resolve().parent
    override = os.environ.get("STOREFLEET_FAKE_HOME")
    return Path(override) if override else Path(tempfile.gettempdir()) / f"storefleet-fakebin-{os.getuid()}"


@contextlib.contextmanager
def locked_state(namespace: str) -> Iterator[tuple[State, Callable[[State], None]]]:
    """The namespace's state, loaded under an exclusive lock held until the block ends."""
    directory = base_dir() / "state" / namespace
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "state.json"
    with (directory / "lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state: State = json.loads(path.read_text()) if path.exists() else {}

        def save(new: State) -> None:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(new, indent=1, sort_keys=True))
            tmp.replace(path)

        yield state, save


def matching_fault(call: Call, state: State) -> Result | None:
    """Apply the first fault rule that matches this call and has not fired ``times`` times yet."""
    path = base_dir() / "faults.json"
    if not path.exists():
        return None
    try:
        rules = json.loads(path.read_text() or "[]")
    except json.JSONDecodeError:
        return Result(2, stderr=f"{call.tool} (simulator): {path} is not valid JSON\n")
    fired: dict[str, int] = state.setdefault("_faults_fired", {})
    for rule in rules:
        prefix = list(rule.get("argv_prefix", []))
        if not fnmatch.fnmatchcase(call.namespace, rule.get("namespace", "*")):
            continue
        if call.argv[: len(prefix)] != prefix:
            continue
        key = json.dumps(rule, sort_keys=True)
        times = rule.get("times")
        if times is not None and fired.get(key, 0) >= int(times):
            continue
        fired[key] = fired.get(key, 0) + 1
        delay = float(rule.get("delay_seconds", 0))
        if delay > 0:
            time.sleep(delay)
            if "exit" not in rule:
                return None  # a slow call, not a failing one: it runs as usual after the delay
        return Result(int(rule.get("exit", 1)), rule.get("stdout", ""), rule.get("stderr", ""))
    return None


def record(call: Call, exit_code: int) -> None:
    line = json.dumps(
        {
            "ts": datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds"),
            "namespace": call.namespace,
            "pod": call.pod,
            "container": call.container,
            "argv": call.argv,
            "stdin_sha256": call.stdin_sha256,
            "exit": exit_code,
        }
    )
    log = os.environ.get("STOREFLEET_EXEC_LOG")
    if not log:
        print(f"[exec-log] {line}", file=sys.stderr)
        return
    with Path(log).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(line + "\n")


def main(tool: str, handler: Callable[[Call, State], Result]) -> None:
    """Run one simulated call of ``tool`` and exit with its status."""
    call = Call(
        tool=tool,
        argv=[tool, *sys.argv[1:]],
        namespace=os.environ.get("STOREFLEET_NAMESPACE", "local"),
        pod=os.environ.get("STOREFLEET_POD", "local"),
        container=os.environ.get("STOREFLEET_CONTAINER", "local"),
    )
    with locked_state(call.namespace) as (state, save):
        result = matching_fault(call, state)
        if result is None:
            tool_state = state.setdefault(tool, {})
            result = handler(call, tool_state)
        save(state)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    record(call, result.exit)
    sys.exit(result.exit)
