"""Run commands in store pods through the Kubernetes exec API, and find the pod to run them in.

The only module that opens exec streams. It uses the official client's WebSocket support
(``kubernetes.stream.ws_client``, without the generated ``CoreV1Api``: see ``rest.py``), which
blocks, so each call runs in a worker thread. Commands are argv
lists (the API has no shell); stdin is written and then closed with the v5 channel protocol's CLOSE
signal, which is what lets a program that reads to end-of-file (``wp --prompt``, ``ensure-admin``)
finish. The exit code comes from the error channel's Status. Errors never include the stdin.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Sequence
from typing import Any, Final

import yaml
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from kubernetes.stream.ws_client import (
    ERROR_CHANNEL,
    STDERR_CHANNEL,
    STDIN_CHANNEL,
    STDOUT_CHANNEL,
    V5_CHANNEL_PROTOCOL,
    websocket_call,
)
from websocket import WebSocketException

from storefleet_operator.adapters import rest
from storefleet_operator.engines.steps import ExecFailed, ExecResult, PodRef

POLL_SECONDS: Final = 0.5
COMMAND_NOT_FOUND: Final = 127
_KWOK_EXIT_STATUS: Final = re.compile(r"exit status (\d+)\s*$")
DATABASE_COMPONENTS: Final = frozenset({"database", "db", "mariadb", "mysql", "postgres", "postgresql"})


class PodNotFound(Exception):
    """No single Ready pod answers the selector; the message says what was found instead."""


def exit_code_from_status(raw: bytes | str) -> int:
    """The process exit code carried by the exec error channel's ``metav1.Status``.

    ``Success`` means 0. A ``NonZeroExitCode`` failure carries the code as the message of its
    ``ExitCode`` cause. A program missing from the container is reported as 127. Any other failure
    (container not found, pod gone) is not an exit code at all and raises ``ExecFailed`` with the API
    server's message.
    """
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if not text.strip():
        raise ExecFailed("the exec stream closed without reporting how the command ended")
    try:
        status: Any = json.loads(text)
    except json.JSONDecodeError:
        status = yaml.safe_load(text)
    if not isinstance(status, dict):
        raise ExecFailed(f"unexpected exec status: {text[:200]}")
    if status.get("status") == "Success":
        return 0
    causes = (status.get("details") or {}).get("causes") or []
    for cause in causes:
        if cause.get("reason") == "ExitCode":
            try:
                return int(cause.get("message", ""))
            except ValueError:
                break
    message = str(status.get("message") or status.get("reason") or text[:200])
    if "executable file not found" in message:
        # The runtime could not start the program at all (containerd and kwok say it this way); report
        # it as a shell would, 127, so the runner knows retrying cannot help.
        return COMMAND_NOT_FOUND
    if "cmd wait: " in message and (kwok_exit := _KWOK_EXIT_STATUS.search(message)):
        # kwok (v0.8.0, pkg/utils/exec/exec.go) wraps os/exec's ExitError in a plain error, so the
        # streaming server reports an InternalError whose message ends in "exit status N" instead of an
        # ExitCode cause. Kubelets send the cause; this only ever matches on the local control plane.
        return int(kwok_exit.group(1))
    raise ExecFailed(message)


class KubernetesExecutor:
    """An ``engines.Executor`` over the Kubernetes exec API.

    Keeps only the given client's configuration (server, credentials): every exec opens and closes its
    own client, so the caller's client may be closed or used elsewhere meanwhile.
    """

    def __init__(self, api: client.ApiClient) -> None:
        self._configuration = api.configuration

    async def exec(
        self,
        pod: PodRef,
        container: str,
        argv: Sequence[str],
        stdin: str | None,
        timeout: float,  # noqa: ASYNC109 - enforced inside the blocking stream loop, not by asyncio
    ) -> ExecResult:
        return await asyncio.to_thread(self._exec, pod, container, list(argv), stdin, timeout)

    def _exec(self, pod: PodRef, container: str, argv: list[str], stdin: str | None, timeout: float) -> ExecResult:
        # A client of its own per exec (same configuration): it only signs the URL, and the WebSocket
        # is this call's alone, so nothing is shared with the threads making other calls.
        with client.ApiClient(self._configuration) as api:
            query = [("command", arg) for arg in argv] + [
                ("container", container),
                ("stdin", "true" if stdin is not None else "false"),
                ("stdout", "true"),
                ("stderr", "true"),
                ("tty", "false"),
            ]
            _, url, headers, _, _ = api.param_serialize(
                method="GET",
                resource_path=f"/api/v1/namespaces/{pod.namespace}/pods/{pod.name}/exec",
                query_params=query,
                header_params={"Accept": "*/*"},
                auth_settings=["BearerToken"],
            )
            try:
                ws = websocket_call(api.configuration, "GET", url, headers=headers, _preload_content=False, binary=True)
            except ApiException as exc:
                raise ExecFailed(f"cannot exec in {pod} container {container}: {exc.reason}") from None
            where = f"{pod} container {container}"
            try:
                return self._converse(ws, stdin, timeout, where)
            except (WebSocketException, OSError) as exc:
                # A dropped connection mid-command (API server restart, pod deleted): the runner retries.
                raise ExecFailed(f"exec in {where} lost its connection: {exc}") from None
            finally:
                ws.close()

    @staticmethod
    def _converse(ws: Any, stdin: str | None, timeout: float, where: str) -> ExecResult:
        if stdin is not None:
            if ws.subprotocol != V5_CHANNEL_PROTOCOL:
                # v4 has no way to signal end-of-input, so the command would wait for stdin forever.
                raise ExecFailed(
                    f"exec in {where}: the API server does not speak {V5_CHANNEL_PROTOCOL}, "
                    "which is needed to close stdin (Kubernetes >= 1.30)"
                )
            ws.write_stdin(stdin.encode())
            ws.close_channel(STDIN_CHANNEL)
        stdout, stderr, status = bytearray(), bytearray(), bytearray()
        deadline = time.monotonic() + timeout
        while ws.is_open():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ExecFailed(f"exec in {where} did not finish within {timeout:.0f} s")
            ws.update(timeout=min(POLL_SECONDS, remaining))
            stdout += ws.read_channel(STDOUT_CHANNEL)
            stderr += ws.read_channel(STDERR_CHANNEL)
            status += ws.read_channel(ERROR_CHANNEL)
        stdout += ws.read_channel(STDOUT_CHANNEL)
        stderr += ws.read_channel(STDERR_CHANNEL)
        status += ws.read_channel(ERROR_CHANNEL)
        return ExecResult(
            exit_code=exit_code_from_status(bytes(status)),
            stdout=stdout.decode("utf-8", "replace"),
            stderr=stderr.decode("utf-8", "replace"),
        )


def choose_ready_pod(pods: Sequence[dict[str, Any]], namespace: str, selector: str) -> PodRef:
    """Pick the single Ready pod among ``pods`` (API dicts) or explain why there is none (pure)."""
    for pod in pods:
        labels = pod.get("metadata", {}).get("labels") or {}
        if labels.get("app.kubernetes.io/component") in DATABASE_COMPONENTS:
            # Predecessor bug B6: selecting by app name picked the database pod for `exec -c medusa`.
            raise PodNotFound(
                f"selector {selector!r} in namespace {namespace} matches database pod "
                f"{pod['metadata']['name']}; select the application by app.kubernetes.io/component"
            )
    ready = [p["metadata"]["name"] for p in pods if _is_ready(p)]
    if len(ready) == 1:
        return PodRef(namespace, ready[0])
    if not pods:
        raise PodNotFound(f"no pod in namespace {namespace} matches {selector!r}")
    if not ready:
        names = ", ".join(p["metadata"]["name"] for p in pods)
        raise PodNotFound(f"no Ready pod in namespace {namespace} matches {selector!r} (found: {names})")
    raise PodNotFound(
        f"{len(ready)} Ready pods in namespace {namespace} match {selector!r} ({', '.join(sorted(ready))}); "
        "expected one (a rollout may still be in progress)"
    )


def _is_ready(pod: dict[str, Any]) -> bool:
    if pod.get("metadata", {}).get("deletionTimestamp"):
        return False
    status = pod.get("status") or {}
    if status.get("phase") != "Running":
        return False
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])


async def find_ready_pod(api: client.ApiClient, namespace: str, selector: str) -> PodRef:
    """The single Ready pod matching a label selector in a namespace; ``PodNotFound`` otherwise."""

    def list_pods() -> list[dict[str, Any]]:
        pods = rest.path("v1", "pods", namespace=namespace)
        listed = rest.call(api, "GET", pods, query=[("labelSelector", selector)])
        return list(listed.get("items") or [])

    return choose_ready_pod(await asyncio.to_thread(list_pods), namespace, selector)
