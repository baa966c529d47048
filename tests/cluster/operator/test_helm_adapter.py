"""The operator's helm adapter against real helm: ``upgrade_install`` returns the revision helm made,
values reach the chart as data (commas, ``=`` and quotes stay one value), the description is recorded,
and a chart that cannot render is a permanent failure."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from pyhelm3 import Client
from tests.cluster.operator.storeops import helm_history
from tests.cluster.operator.test_release_history import read_history, tiny_chart

from storefleet_localcluster.cluster import LocalCluster
from storefleet_operator.adapters.helm import HelmFailed, StoreHelm

pytestmark = pytest.mark.cluster

HOSTILE = 'red, colour=blue "$(id)"'


def store_helm(cluster: LocalCluster) -> StoreHelm:
    return StoreHelm(Client(executable=str(cluster.bin_dir / "helm"), kubeconfig=cluster.kubeconfig))


def test_upgrade_install_returns_helms_revision_and_passes_values_as_data(
    cluster: LocalCluster, namespace: str, tmp_path: Path
) -> None:
    chart = tiny_chart(tmp_path / "tiny")
    helm = store_helm(cluster)

    async def install(colour: str, description: str) -> int:
        return await helm.upgrade_install(
            namespace, "shop", chart, {"colour": colour}, description=description, timeout_seconds=60
        )

    assert asyncio.run(install(HOSTILE, "first digest")) == 1
    assert asyncio.run(install("green", "second digest")) == 2
    history = read_history(cluster, namespace, "shop")
    assert [(e["revision"], e["status"]) for e in history] == [(1, "superseded"), (2, "deployed")]
    assert history[-1]["description"] == "second digest"  # the operator decodes the newest record only
    assert [e["description"] for e in helm_history(cluster, namespace, "shop")] == ["first digest", "second digest"]
    first = json.loads(cluster.helm("get", "values", "shop", "-n", namespace, "--revision", "1", "-o", "json").stdout)
    assert first == {"colour": HOSTILE}
    assert not helm.in_flight(namespace, "shop") and not helm.interrupted(namespace, "shop")


def test_a_chart_that_cannot_render_fails_for_good(cluster: LocalCluster, namespace: str, tmp_path: Path) -> None:
    chart = tiny_chart(tmp_path / "tiny")
    (chart / "templates" / "bad.yaml").write_text("{{ .Values.colour | nosuchfunction }}\n")
    helm = store_helm(cluster)
    with pytest.raises(HelmFailed) as failed:
        asyncio.run(helm.upgrade_install(namespace, "shop", chart, {}, description="d", timeout_seconds=60))
    assert failed.value.permanent, str(failed.value)
    assert "nosuchfunction" in str(failed.value)
    assert helm.interrupted(namespace, "shop")
