"""Test tiers and the shared local control plane.

- ``cluster`` (session): a real control plane built from the pinned toolchain (etcd, kube-apiserver,
  kube-controller-manager, kube-scheduler, kwok). Never skipped: if the toolchain is missing it is
  built, and a start failure is an error, not a skip.
- ``namespace``: a fresh namespace per test, deleted afterwards.
- ``installed_platform`` / ``operator`` (session): storefleet's CRDs and RBAC applied, and the real
  operator running under its own ServiceAccount; here rather than in tests/cluster so the browser
  tier shares the same ones (one operator per session, never two).
- ``e2e_kind`` tests are skipped, with the reason, when no Docker engine answers.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

import pytest
from tests.cluster.operator_support import OperatorProcess, install_platform

from storefleet_localcluster.cluster import LocalCluster

if TYPE_CHECKING:  # imported as a plugin below; importing it here first would skip assertion rewriting
    from tests.audit.fixtures import AuditDatabase

# The real Medusa + PostgreSQL backend and the storefront served against it (session-scoped, started
# only by the tests that ask for them).
pytest_plugins = (
    "tests.medusa.fixtures",
    "tests.browser.storefront.fixtures",
    "tests.realnode.realstores",
    "tests.audit.fixtures",
)


@cache
def docker_available() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    probe = subprocess.run([docker, "info"], capture_output=True, timeout=30, check=False)
    return probe.returncode == 0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_kind = pytest.mark.skip(
        reason="e2e_kind needs a Docker engine for kind and real images; `docker info` failed on this host"
    )
    for item in items:
        if item.get_closest_marker("e2e_kind") and not docker_available():
            item.add_marker(skip_kind)


@pytest.fixture(scope="session")
def cluster() -> Iterator[LocalCluster]:
    local = LocalCluster.start()
    try:
        yield local
    finally:
        local.discard()


@pytest.fixture
def namespace(cluster: LocalCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    base = "".join(ch if ch.isalnum() else "-" for ch in request.node.name.lower())[:40].strip("-")
    name = f"t-{base}-{uuid.uuid4().hex[:5]}"
    cluster.kubectl("create", "namespace", name)
    yield name
    cluster.kubectl("delete", "namespace", name, "--wait=false", "--ignore-not-found", check=False)


@pytest.fixture(scope="session")
def installed_platform(cluster: LocalCluster) -> LocalCluster:
    """The cluster with storefleet's CRDs and the operator's ServiceAccount/RBAC applied."""
    install_platform(cluster)
    return cluster


_RUNNING: list[OperatorProcess] = []


@pytest.fixture(scope="session")
def operator(installed_platform: LocalCluster, audit_database: AuditDatabase) -> Iterator[OperatorProcess]:
    """The real operator, running under its own ServiceAccount token for the whole session, writing
    its Store Events to the session's audit database as well (as a deployment with one does).

    Tests that kill or restart it must leave it running again when they finish.
    """
    process = OperatorProcess(installed_platform, {"STOREFLEET_OPERATOR_AUDIT_DATABASE_URL": audit_database.url})
    process.start()
    _RUNNING.append(process)
    try:
        yield process
    finally:
        _RUNNING.remove(process)
        process.stop()


@pytest.fixture(scope="module")
def no_operator() -> Iterator[None]:
    """Pause the session operator, if one is running, for tests of raw API-server semantics.

    Tests that write Store status themselves (subresource rules, kubectl wait on hand-written
    conditions) would otherwise race the operator writing the same status.
    """
    paused = [process for process in _RUNNING if process.alive()]
    for process in paused:
        process.stop()
    try:
        yield
    finally:
        for process in paused:
            if not process.alive():  # a test may have started it again itself
                process.start()
