"""Run the real operator (``python -m storefleet_operator``) against the local control plane.

The operator runs as a subprocess under its own ServiceAccount token with exactly the RBAC in
``deploy/operator`` — never as admin — so a missing permission fails a test the way it would fail in
a real cluster. Tests can SIGKILL it and start it again to prove crash safety. The process runner is
shared with ``make dev`` (storefleet_localcluster.platform); this module only adds test timings.
"""

from __future__ import annotations

from collections.abc import Mapping

from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.platform import (
    OPERATOR_SERVICE_ACCOUNT,
    PLATFORM_NAMESPACE,
    VALUES_LOCAL,
    install_platform,
)
from storefleet_localcluster.platform import OperatorProcess as _OperatorProcess

OPERATOR_NAMESPACE = PLATFORM_NAMESPACE

# Quicker retries than production so failure tests finish in seconds; the behaviour is the same.
TEST_DEFAULTS = {
    "STOREFLEET_OPERATOR_RETRY_BASE_DELAY_SECONDS": "0.5",
    "STOREFLEET_OPERATOR_RETRY_MAX_DELAY_SECONDS": "3",
    "STOREFLEET_OPERATOR_STEP_MAX_ATTEMPTS": "3",
    "STOREFLEET_OPERATOR_ROLLOUT_TIMEOUT_SECONDS": "60",
    "STOREFLEET_OPERATOR_HELM_TIMEOUT_SECONDS": "120",
    "STOREFLEET_OPERATOR_ORPHAN_SWEEP_INTERVAL_SECONDS": "3",
}


class OperatorProcess(_OperatorProcess):
    def __init__(self, cluster: LocalCluster, env: Mapping[str, str] | None = None) -> None:
        super().__init__(cluster, {**TEST_DEFAULTS, **(env or {})})


__all__ = ["OPERATOR_NAMESPACE", "OPERATOR_SERVICE_ACCOUNT", "TEST_DEFAULTS", "VALUES_LOCAL", "OperatorProcess",
           "install_platform"]
