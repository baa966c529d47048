"""Real images on kind (needs a Docker engine). Skipped with a reason on hosts without one.

This tier is where the real WordPress, MariaDB, Medusa and PostgreSQL images run; on the local
control plane (kwok) containers never run, so only this tier can prove the images themselves.
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e_kind


def test_kind_cluster_runs_a_real_pod(kind_cluster: Any) -> None:
    kind_cluster.kubectl("create", "namespace", "kind-smoke")
    kind_cluster.kubectl(
        "run",
        "hello",
        "-n",
        "kind-smoke",
        "--image=busybox:1.36",
        "--restart=Never",
        "--command",
        "--",
        "sh",
        "-c",
        "echo hello from a real container",
    )
    kind_cluster.kubectl(
        "wait", "-n", "kind-smoke", "--for=jsonpath={.status.phase}=Succeeded", "pod/hello", "--timeout=180s"
    )
    logs = kind_cluster.kubectl("logs", "-n", "kind-smoke", "hello")
    assert "hello from a real container" in logs
