"""Runs deploy/kstatus (`go test`): sigs.k8s.io/cli-utils' kstatus — the library Flux's health checks
use — over the same Store objects as the Argo CD health cases.

The module has its own go.mod so its dependencies never mix with the toolchain's; the Go build cache
makes later runs take a second (the first compiles apimachinery, about a minute)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

MODULE = Path(__file__).resolve().parents[3] / "deploy" / "kstatus"
GO = shutil.which("go")


@pytest.mark.skipif(GO is None, reason="Go is needed (make toolchain needs it too)")
def test_cli_utils_kstatus_reads_every_store_state_as_expected() -> None:
    assert GO is not None
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-buildvcs=false -mod=readonly"}
    done = subprocess.run([GO, "test", "-count=1", "-v", "./..."], cwd=MODULE, env=env, capture_output=True,
                          text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert "--- PASS: TestEveryStoreStateHasTheExpectedKstatus/ready" in done.stdout
