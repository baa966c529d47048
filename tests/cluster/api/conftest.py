"""Fixtures for the gateway's cluster tests (helpers live in gateway_support.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from gateway_support import Platform, install_crds, new_platform
from store_support import gateway_beside_the_operator
from tests.cluster.operator_support import OperatorProcess

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


@pytest.fixture
async def http(operator: OperatorProcess) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a gateway started beside the session operator, with the default settings. Modules
    that need other settings (or no operator) define their own ``http``."""
    async with gateway_beside_the_operator(operator.cluster) as client:
        yield client
