"""The platform chart on a real control plane: `helm install`, stores made through it, `helm upgrade`
to a changed chart, and the stores untouched.

What this proves, and what it cannot: the chart's Deployments roll out on kwok nodes, which run no
containers, so the operator and the gateway run here as processes under the ServiceAccount tokens the
*chart* created, with only the RBAC the *chart* granted. A store reaching Ready therefore proves the
chart's CRDs, accounts and rules are enough for the real operator; the readiness answer proves the
same for the gateway. `helm test` itself cannot pass on kwok (its Pod never runs), so the test runs
the test Pod's own script against the gateway process instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.cluster.operator.storeops import create_store, get_store, new_tenant_namespace, wait_ready
from tests.cluster.operator_support import OperatorProcess

from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.platform import PLATFORM_NAMESPACE, GatewayProcess
from storefleet_localcluster.platformchart import CHART

pytestmark = pytest.mark.cluster

RELEASE = "storefleet"
STORES = (("chart-woo", "woocommerce"), ("chart-medusa", "medusa"))


@pytest.fixture(scope="module")
def charted() -> Iterator[LocalCluster]:
    """A control plane of its own (the session one has the platform from the kustomize folders)."""
    cluster = LocalCluster.start()
    try:
        yield cluster
    finally:
        cluster.discard()


def release(cluster: LocalCluster) -> dict[str, Any]:
    listed = json.loads(cluster.helm("list", "-n", PLATFORM_NAMESPACE, "-o", "json").stdout)
    found: dict[str, Any] = next(r for r in listed if r["name"] == RELEASE)
    return found


def fingerprint(store: dict[str, Any]) -> dict[str, Any]:
    """What a platform upgrade must leave alone on a Store, and on its own Helm release."""
    status = store["status"]
    return {
        "resourceVersion": store["metadata"]["resourceVersion"],
        "generation": store["metadata"]["generation"],
        "observedGeneration": status["observedGeneration"],
        "releaseRevision": status["release"]["revision"],
        "phase": status["phase"],
    }


def changed_chart(tmp_path: Path) -> Path:
    """The chart at a new version and appVersion: an upgrade as a release would ship it."""
    chart = tmp_path / "storefleet"
    shutil.copytree(CHART, chart)
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    meta.update(version="0.2.0", appVersion="0.2.0")
    (chart / "Chart.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
    return chart


def deployment(cluster: LocalCluster, name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        cluster.kubectl("get", "deployment", name, "-n", PLATFORM_NAMESPACE, "-o", "json").stdout
    )
    return found


def test_install_create_stores_upgrade_and_stores_stay_untouched(charted: LocalCluster, tmp_path: Path) -> None:
    cluster = charted
    cluster.helm("install", RELEASE, str(CHART), "-n", PLATFORM_NAMESPACE, "--create-namespace",
                 "--wait", "--timeout", "120s")
    assert release(cluster)["status"] == "deployed"
    notes = cluster.helm("get", "notes", RELEASE, "-n", PLATFORM_NAMESPACE).stdout
    assert "kubectl get stores -A" in notes

    operator = OperatorProcess(cluster)
    gateway = GatewayProcess(cluster)
    try:
        operator.start()
        tenant = new_tenant_namespace(cluster, prefix="chart")
        for name, engine in STORES:
            create_store(cluster, name, tenant, engine)
        wait_ready(cluster, tenant, *(name for name, _ in STORES))
        before = {name: fingerprint(get_store(cluster, tenant, name) or {}) for name, _ in STORES}

        upgraded = cluster.helm(
            "upgrade", RELEASE, str(changed_chart(tmp_path)), "-n", PLATFORM_NAMESPACE,
            "-f", str(CHART / "ci" / "upgrade-values.yaml"), "--wait", "--timeout", "120s", check=False)
        assert upgraded.returncode == 0, upgraded.stderr
        now = release(cluster)
        assert (now["revision"], now["status"], now["app_version"]) == ("2", "deployed", "0.2.0")
        # The upgrade really changed the platform...
        assert deployment(cluster, "storefleet-operator")["spec"]["replicas"] == 1
        assert deployment(cluster, "storefleet-gateway")["spec"]["replicas"] == 3
        assert deployment(cluster, "storefleet-gateway")["spec"]["template"]["spec"]["containers"][0]["image"] \
            == "storefleet/storefleet:0.2.0"

        # ...and an operator restarted after it (as its rollout would) leaves every store alone:
        # no write to the Store, no new revision of the store's own Helm release.
        operator.restart()
        cluster.kubectl("wait", "--for=condition=Ready", *(f"store/{n}" for n, _ in STORES), "-n", tenant,
                        "--timeout=60s")
        operator.stop()  # let any pass it started finish before looking
        after = {name: fingerprint(get_store(cluster, tenant, name) or {}) for name, _ in STORES}
        assert after == before
        assert all(f["phase"] == "Ready" for f in after.values())

        # `helm test`'s own script, against the gateway running with the chart's ServiceAccount.
        gateway.start()
        test_pod = yaml.safe_load(cluster.helm(
            "template", RELEASE, str(CHART), "-n", PLATFORM_NAMESPACE,
            "--show-only", "templates/tests/gateway-ready.yaml").stdout)
        script = test_pod["spec"]["containers"][0]["command"][-1]
        ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "STOREFLEET_GATEWAY_URL": gateway.url}, check=False)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        assert " 200 " in ran.stdout
    finally:
        gateway.stop()
        operator.stop()
