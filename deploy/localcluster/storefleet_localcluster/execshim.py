"""Give every Pod on the kwok node an exec identity.

kwok answers ``exec`` by running a local command, but it tells the command nothing about which Pod
or container it stands for. This watcher creates one kwok ``Exec`` object per Pod (owned by the Pod,
so it is garbage-collected with it) whose targets, one per container, run the command in a
per-container working directory with ``STOREFLEET_POD``/``NAMESPACE``/``CONTAINER`` set and the
recording simulators in ``deploy/localcluster/fakebin`` first on PATH. That is how tests assert that a
command ran in the right pod and container.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException

from .toolchain import REPO_ROOT

FAKEBIN = REPO_ROOT / "deploy" / "localcluster" / "fakebin"
log = logging.getLogger(__name__)


def exec_object(pod: dict[str, Any], run_dir: Path, exec_log: Path) -> dict[str, Any]:
    """The kwok Exec object for one Pod (pure; the watcher applies it)."""
    meta = pod["metadata"]
    namespace, name = meta["namespace"], meta["name"]
    containers = [c["name"] for c in pod["spec"].get("containers", [])]
    containers += [c["name"] for c in pod["spec"].get("initContainers", []) or []]
    targets = []
    for container in containers:
        workdir = run_dir / "pods" / namespace / name / container
        workdir.mkdir(parents=True, exist_ok=True)
        envs = {
            "PATH": f"{FAKEBIN}:/usr/local/bin:/usr/bin:/bin",
            "STOREFLEET_POD": name,
            "STOREFLEET_NAMESPACE": namespace,
            "STOREFLEET_CONTAINER": container,
            "STOREFLEET_EXEC_LOG": str(exec_log),
        }
        targets.append(
            {
                "containers": [container],
                "local": {"workDir": str(workdir), "envs": [{"name": k, "value": v} for k, v in envs.items()]},
            }
        )
    return {
        "apiVersion": "kwok.x-k8s.io/v1alpha1",
        "kind": "Exec",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "ownerReferences": [
                {"apiVersion": "v1", "kind": "Pod", "name": name, "uid": meta["uid"], "blockOwnerDeletion": False}
            ],
        },
        "spec": {"execs": targets},
    }


class ExecShim:
    """Watches Pods cluster-wide and creates their kwok Exec objects, until stopped."""

    def __init__(self, api: client.ApiClient, run_dir: Path, exec_log: Path) -> None:
        self._core = client.CoreV1Api(api)
        self._custom = client.CustomObjectsApi(api)
        self._run_dir = run_dir
        self._exec_log = exec_log
        self._stop = threading.Event()
        self._done: set[str] = set()
        self._thread = threading.Thread(target=self._run, name="kwok-exec-shim", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _ensure(self, pod: dict[str, Any]) -> None:
        body = exec_object(pod, self._run_dir, self._exec_log)
        try:
            self._custom.create_namespaced_custom_object(
                "kwok.x-k8s.io", "v1alpha1", body["metadata"]["namespace"], "execs", body
            )
        except ApiException as exc:
            # 409: already there. 403/404: the namespace is terminating; nothing to exec into then.
            if exc.status not in (403, 404, 409):
                log.warning("exec shim could not create Exec for %s: %s", body["metadata"]["name"], exc.reason)

    def _run(self) -> None:
        # Each watch ends after 5 s (so stop() is prompt) and the next resumes where it ended: a watch
        # from scratch replays every Pod in the cluster, which with a thousand stores (over 2000 Pods,
        # parsed into typed models) every 5 s took most of a core and slowed the stores being measured.
        resource_version: str | None = None
        while not self._stop.is_set():
            stream = watch.Watch()
            options: dict[str, Any] = {"timeout_seconds": 5, "_request_timeout": 10, "deserialize": False}
            if resource_version is not None:
                options["resource_version"] = resource_version
            try:
                for event in stream.stream(self._core.list_pod_for_all_namespaces, **options):
                    if self._stop.is_set():
                        break
                    pod = event["object"]
                    resource_version = pod["metadata"]["resourceVersion"]
                    if event["type"] in ("ADDED", "MODIFIED"):
                        uid = pod["metadata"]["uid"]
                        if uid not in self._done and not pod["metadata"].get("deletionTimestamp"):
                            self._ensure(pod)
                            self._done.add(uid)
            except Exception as exc:  # keep watching through apiserver hiccups; we are test tooling
                resource_version = None  # e.g. 410 Gone (too old to resume from): replay everything once
                if not self._stop.is_set():
                    log.debug("exec shim watch restarted: %s", exc)
                    self._stop.wait(0.5)
            finally:
                stream.stop()
