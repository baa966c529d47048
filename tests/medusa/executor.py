"""The operator's ``Executor`` seam answered by this machine instead of ``kubectl exec``.

The operator runs each setup step's argv in the store's ``medusa`` container, whose working directory
is the image's ``/app`` and whose environment the chart sets. Here the same argv runs in the image's
project directory with the same environment, so ``run_recipe`` and ``medusa_recipe`` are exercised
unchanged against a real Medusa and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tests.medusa.medusa import MEDUSA_DIR

from storefleet_operator.engines.steps import ExecFailed, ExecResult, PodRef


@dataclass
class LocalExecutor:
    env: dict[str, str]
    calls: list[tuple[str, ...]] = field(default_factory=list)
    fail_when: Callable[[Sequence[str]], bool] = lambda argv: False
    """Argv for which the exec connection "drops" (raises ExecFailed) instead of running."""

    async def exec(
        self,
        pod: PodRef,
        container: str,
        argv: Sequence[str],
        stdin: str | None,
        timeout: float,  # noqa: ASYNC109 - the Executor protocol's own parameter
    ) -> ExecResult:
        self.calls.append(tuple(argv))
        if self.fail_when(argv):
            raise ExecFailed("connection to the pod was reset (injected by the test)")
        process = await asyncio.create_subprocess_exec(
            *argv, cwd=MEDUSA_DIR, env=self.env, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            out, err = await asyncio.wait_for(process.communicate((stdin or "").encode()), timeout)
        except TimeoutError as exc:
            process.kill()
            await process.wait()
            raise ExecFailed(f"{argv[0]} did not finish within {timeout:.0f} s") from exc
        assert process.returncode is not None
        return ExecResult(process.returncode, out.decode(errors="replace"), err.decode(errors="replace"))
