"""The chaos tier's own platform: a fresh control plane, the operator and the gateway as processes
(killable), a bootstrap admin. Stopped and removed at the end of the tier."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.chaos.chaoskit import ADMIN_EMAIL, SWEEP_INTERVAL_SECONDS, Api, ChaosPlatform, report_to
from tests.cluster.operator_support import OperatorProcess

from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.platform import GatewayProcess, install_platform


@pytest.fixture(scope="package")
def chaos(request: pytest.FixtureRequest) -> Iterator[ChaosPlatform]:
    report_to(request.config)
    cluster = LocalCluster.start()
    operator = gateway = None
    try:
        install_platform(cluster)
        operator = OperatorProcess(
            cluster, {"STOREFLEET_OPERATOR_ORPHAN_SWEEP_INTERVAL_SECONDS": str(SWEEP_INTERVAL_SECONDS)}
        )
        operator.start()
        # No creation cooldown and room for many sign-ups from one address: the tier is about
        # deletion and crashes, not about pacing a tenant (the guardrail tests cover those limits).
        gateway = GatewayProcess(cluster, env={
            "STOREFLEET_STORE_CREATE_COOLDOWN_SECONDS": "0",
            "STOREFLEET_REGISTER_RATE_LIMIT": "100",
        })
        gateway.start()
        admin = Api(gateway.url).sign_in(ADMIN_EMAIL, register=True)
        yield ChaosPlatform(cluster, operator, gateway, admin)
    finally:
        for process in (gateway, operator):
            if process is not None:
                process.stop()
        cluster.discard()
