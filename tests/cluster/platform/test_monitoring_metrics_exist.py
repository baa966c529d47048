"""Every storefleet metric the Grafana dashboard and the alert rules query is served by the real
processes: the operator's /metrics and the gateway's /metrics, as Prometheus would scrape them.

A renamed or dropped metric would otherwise leave an empty panel or an alert that can never fire."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest
from tests.cluster.operator_support import OperatorProcess
from tests.unit.monitoring.monitoring_files import (
    alert_expressions,
    dashboard_expressions,
    exposed_series,
    storefleet_metrics,
)

from storefleet_api.config import DEV_METRICS_TOKEN
from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.platform import GatewayProcess

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def gateway(installed_platform: LocalCluster) -> Iterator[GatewayProcess]:
    process = GatewayProcess(installed_platform)
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def scraped(operator: OperatorProcess, gateway: GatewayProcess) -> set[str]:
    request = urllib.request.Request(  # noqa: S310 - loopback http
        f"{gateway.url}/metrics", headers={"Authorization": f"Bearer {DEV_METRICS_TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        gateway_text = response.read().decode()
    return exposed_series(operator.metrics()) | exposed_series(gateway_text)


@pytest.mark.parametrize("source", [dashboard_expressions, alert_expressions], ids=["grafana-dashboard", "alert-rules"])
def test_every_queried_storefleet_metric_is_served(scraped: set[str], source: object) -> None:
    assert callable(source)
    used = storefleet_metrics(source())
    assert used, "no storefleet metric queried at all"
    missing = {name: sorted(where) for name, where in used.items() if name not in scraped}
    assert not missing, f"queried but not on any /metrics: {missing}"
