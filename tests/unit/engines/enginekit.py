"""Helpers for engine setup tests that need no cluster: contexts and executors.

- ``SimulatorExecutor`` runs commands as local processes with ``deploy/localcluster/fakebin`` first on
  PATH and the same environment kwok's exec gives them, so recipes meet the real recording simulators.
- ``ScriptedExecutor`` answers from a script, for runner paths a simulator cannot produce on demand
  (hanging connections, exit 127, a given exit code sequence).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storefleet_operator.engines import AdminCredentials, ExecResult, PodRef, SetupContext

REPO = Path(__file__).resolve().parents[3]
FAKEBIN = REPO / "deploy" / "localcluster" / "fakebin"
POD = PodRef("store-ns", "shop-wordpress-0")


def make_context(**overrides: Any) -> SetupContext:
    admin = overrides.pop("admin", None) or AdminCredentials(
        username=overrides.pop("username", "admin"),
        email=overrides.pop("email", "owner@shop.test"),
        password=overrides.pop("password", "s3cret-Pa55"),
    )
    values: dict[str, Any] = {"display_name": "My Shop", "site_url": "http://my-shop.store.test", "admin": admin}
    values.update(overrides)
    return SetupContext(**values)


@dataclass
class SimulatorExecutor:
    """Runs argv as a local process against the fakebin simulators (no shell)."""

    run_dir: Path
    calls: list[tuple[PodRef, str, tuple[str, ...], str | None]] = field(default_factory=list)

    @property
    def exec_log(self) -> Path:
        return self.run_dir / "exec-log.jsonl"

    def records(self, namespace: str | None = None) -> list[dict[str, Any]]:
        if not self.exec_log.exists():
            return []
        rows = [json.loads(line) for line in self.exec_log.read_text().splitlines() if line]
        return [r for r in rows if namespace is None or r["namespace"] == namespace]

    def add_fault(self, **rule: Any) -> None:
        path = self.run_dir / "faults.json"
        rules = json.loads(path.read_text()) if path.exists() else []
        path.write_text(json.dumps([*rules, rule]))

    async def exec(
        self,
        pod: PodRef,
        container: str,
        argv: Sequence[str],
        stdin: str | None,
        timeout: float,  # noqa: ASYNC109 - mirrors the Executor protocol
    ) -> ExecResult:
        self.calls.append((pod, container, tuple(argv), stdin))
        env = {
            "PATH": f"{FAKEBIN}:/usr/bin:/bin",
            "STOREFLEET_POD": pod.name,
            "STOREFLEET_NAMESPACE": pod.namespace,
            "STOREFLEET_CONTAINER": container,
            "STOREFLEET_EXEC_LOG": str(self.exec_log),
        }
        workdir = self.run_dir / "pods" / pod.namespace / pod.name / container
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                cwd=workdir,
                env=env,
                stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except FileNotFoundError:
            return ExecResult(127, "", f"exec: {argv[0]}: not found\n")
        async with asyncio.timeout(timeout):
            out, err = await process.communicate(stdin.encode() if stdin is not None else None)
        assert process.returncode is not None
        return ExecResult(process.returncode, out.decode(), err.decode())


Answer = ExecResult | Exception | Callable[[tuple[str, ...], str | None], ExecResult]


@dataclass
class ScriptedExecutor:
    """Answers each call from the first rule whose argv prefix matches; rules can be sequences."""

    rules: list[tuple[tuple[str, ...], list[Answer]]] = field(default_factory=list)
    default: ExecResult = field(default_factory=lambda: ExecResult(0, "", ""))
    calls: list[tuple[str, tuple[str, ...], str | None]] = field(default_factory=list)

    def on(self, prefix: tuple[str, ...], *answers: Answer) -> ScriptedExecutor:
        """Answer calls starting with ``prefix`` with ``answers`` in turn (the last one repeats)."""
        self.rules.append((prefix, list(answers)))
        return self

    async def exec(
        self,
        pod: PodRef,
        container: str,
        argv: Sequence[str],
        stdin: str | None,
        timeout: float,  # noqa: ASYNC109 - mirrors the Executor protocol
    ) -> ExecResult:
        argv = tuple(argv)
        self.calls.append((container, argv, stdin))
        for prefix, answers in self.rules:
            if argv[: len(prefix)] == prefix:
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                if isinstance(answer, Exception):
                    raise answer
                if callable(answer):
                    return answer(argv, stdin)
                return answer
        return self.default

    def argvs(self) -> list[tuple[str, ...]]:
        return [argv for _, argv, _ in self.calls]
