"""Fixtures for the gateway's cluster tests (helpers live in gateway_support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gateway_support import Platform, install_crds, new_platform

from storefleet_localcluster.cluster import LocalCluster


@pytest.fixture(scope="session")
def tenant_crd(cluster: LocalCluster) -> None:
    install_crds(cluster)


@pytest.fixture
def platform(cluster: LocalCluster, tenant_crd: None) -> Iterator[Platform]:
    """A fresh platform namespace: no users, no first admin, no counters."""
    fresh = new_platform(cluster)
    yield fresh
    fresh.delete()
