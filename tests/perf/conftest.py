"""Fixtures for the benchmarks: the platform on the session's local control plane."""

from __future__ import annotations

import pytest
from tests.cluster.operator_support import install_platform

from storefleet_localcluster.cluster import LocalCluster


@pytest.fixture(scope="session")
def bench_platform(cluster: LocalCluster) -> LocalCluster:
    install_platform(cluster)
    return cluster
