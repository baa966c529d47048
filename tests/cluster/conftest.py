"""Fixtures for cluster-tier tests that need the platform installed and the operator running."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.cluster.operator_support import OperatorProcess, install_platform

from storefleet_localcluster.cluster import LocalCluster


@pytest.fixture(scope="session")
def platform(cluster: LocalCluster) -> LocalCluster:
    """The cluster with storefleet's CRDs and the operator's ServiceAccount/RBAC applied."""
    install_platform(cluster)
    return cluster


@pytest.fixture(scope="session")
def operator(platform: LocalCluster) -> Iterator[OperatorProcess]:
    """The real operator, running under its own ServiceAccount token for the whole session.

    Tests that kill or restart it must leave it running again when they finish.
    """
    process = OperatorProcess(platform)
    process.start()
    try:
        yield process
    finally:
        process.stop()
