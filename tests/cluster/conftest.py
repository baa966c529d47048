"""Fixtures for cluster-tier tests that need the platform installed and the operator running."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.cluster.operator_support import OperatorProcess, install_platform

from storefleet_localcluster.cluster import LocalCluster


@pytest.fixture(scope="session")
def installed_platform(cluster: LocalCluster) -> LocalCluster:
    """The cluster with storefleet's CRDs and the operator's ServiceAccount/RBAC applied."""
    install_platform(cluster)
    return cluster


_RUNNING: list[OperatorProcess] = []


@pytest.fixture(scope="session")
def operator(installed_platform: LocalCluster) -> Iterator[OperatorProcess]:
    """The real operator, running under its own ServiceAccount token for the whole session.

    Tests that kill or restart it must leave it running again when they finish.
    """
    process = OperatorProcess(installed_platform)
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
            process.start()
