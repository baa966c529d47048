"""The pure parts of the exec adapter: reading the exit status, choosing the pod.

The stream itself is exercised against a real API server and kwok in tests/cluster/engines.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from storefleet_operator.adapters.execs import PodNotFound, choose_ready_pod, exit_code_from_status
from storefleet_operator.engines import ExecFailed, PodRef

pytestmark = pytest.mark.unit


def status(**fields: Any) -> str:
    return json.dumps({"metadata": {}, **fields})


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (status(status="Success"), 0),
        (
            status(
                status="Failure",
                reason="NonZeroExitCode",
                message="command terminated with non-zero exit code",
                details={"causes": [{"reason": "ExitCode", "message": "3"}]},
            ),
            3,
        ),
        (
            b'{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"127"}]}}',
            127,
        ),
        ("status: Success\n", 0),
        (
            status(
                status="Failure",
                reason="InternalError",
                message="Internal error occurred: error executing command "
                'in container: cmd start: wp config path: exec: "wp": executable file not found in $PATH',
            ),
            127,
        ),
        (
            status(
                status="Failure",
                reason="InternalError",
                message="Internal error occurred: error executing command "
                "in container: cmd wait: wp core is-installed: exit status 1",
            ),
            1,
        ),
        (
            status(
                status="Failure",
                reason="InternalError",
                message="error executing command in container: cmd wait: "
                "storefleet-medusa set-store-name --name x: exit status 0\nline: exit status 4",
            ),
            4,
        ),
    ],
    ids=["success", "exit-3", "bytes-exit-127", "yaml", "program-missing", "kwok-exit-1", "kwok-name-lookalike"],
)
def test_exit_code_from_the_error_channel(raw: str | bytes, code: int) -> None:
    assert exit_code_from_status(raw) == code


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            status(status="Failure", reason="InternalError", message='container "wp-cli" not found in pod'),
            'container "wp-cli" not found',
        ),
        ("", "closed without reporting"),
        (
            status(status="Failure", reason="InternalError", message="cmd wait: wp core install: signal: killed"),
            "signal: killed",
        ),
    ],
    ids=["no-such-container", "empty", "killed"],
)
def test_failures_that_are_not_exit_codes_raise(raw: str, message: str) -> None:
    with pytest.raises(ExecFailed, match=message):
        exit_code_from_status(raw)


def pod(
    name: str, *, component: str = "wordpress", phase: str = "Running", ready: bool = True, deleting: bool = False
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "labels": {"app.kubernetes.io/component": component}}
    if deleting:
        metadata["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {
        "metadata": metadata,
        "status": {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]},
    }


SELECTOR = "app.kubernetes.io/component=wordpress"


@pytest.mark.parametrize(
    ("pods", "chosen"),
    [
        ([pod("wp-a")], "wp-a"),
        ([pod("wp-old", deleting=True), pod("wp-new")], "wp-new"),
        ([pod("wp-pending", phase="Pending", ready=False), pod("wp-a")], "wp-a"),
    ],
    ids=["one", "skips-terminating", "skips-pending"],
)
def test_the_single_ready_pod_is_chosen(pods: list[dict[str, Any]], chosen: str) -> None:
    assert choose_ready_pod(pods, "ns", SELECTOR) == PodRef("ns", chosen)


@pytest.mark.parametrize(
    ("pods", "message"),
    [
        ([], "no pod in namespace ns matches"),
        ([pod("wp-a", ready=False)], r"no Ready pod .* \(found: wp-a\)"),
        ([pod("wp-a"), pod("wp-b")], "2 Ready pods .* expected one"),
        ([pod("shop-db-0", component="database"), pod("wp-a")], "matches database pod shop-db-0"),
    ],
    ids=["none", "not-ready", "two-ready", "database-pod"],
)
def test_no_single_ready_pod_is_explained(pods: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(PodNotFound, match=message):
        choose_ready_pod(pods, "ns", SELECTOR)
