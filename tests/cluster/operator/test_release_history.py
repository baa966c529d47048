"""The operator reads a release's history from Helm's own records (its Secrets) instead of running
``helm history`` on every pass: here real helm makes the records (install, upgrade, a failed upgrade)
and the two readings must agree, field for field the reconciler uses."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from tests.cluster.operator.storeops import helm_history

from storefleet_localcluster.cluster import LocalCluster
from storefleet_operator.adapters.kube import StoreKube

pytestmark = pytest.mark.cluster

CHART_YAML = "apiVersion: v2\nname: tiny\nversion: 1.2.3\nappVersion: '9.9'\n"
CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
data:
  colour: {{ .Values.colour | quote }}
{{- if .Values.broken }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
  namespace: a-namespace-that-does-not-exist
{{- end }}
"""


def tiny_chart(root: Path) -> Path:
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text(CHART_YAML)
    (root / "templates" / "cm.yaml").write_text(CONFIGMAP)
    return root


def read_history(cluster: LocalCluster, namespace: str, release: str) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        api = cluster.api_client()
        try:
            return await StoreKube(api).release_history(namespace, release)
        finally:
            api.close()

    return asyncio.run(read())


def comparable(entry: dict[str, Any]) -> tuple[Any, ...]:
    updated = datetime.fromisoformat(str(entry["updated"]).replace("Z", "+00:00"))
    return (entry["revision"], entry["status"], entry["chart"], entry["app_version"], entry["description"], updated)


def test_history_from_helm_records_matches_helm_history(cluster: LocalCluster, namespace: str, tmp_path: Path) -> None:
    chart = tiny_chart(tmp_path / "tiny")
    assert read_history(cluster, namespace, "shop") == []  # no release yet
    cluster.helm("upgrade", "--install", "shop", str(chart), "-n", namespace, "--set", "colour=red",
                 "--description", "storefleet digest=aaa")
    cluster.helm("upgrade", "shop", str(chart), "-n", namespace, "--set", "colour=blue",
                 "--description", "storefleet digest=bbb")
    failed = cluster.helm("upgrade", "shop", str(chart), "-n", namespace, "--set", "broken=true", check=False)
    assert failed.returncode != 0  # a failed revision, as a bad upgrade leaves it

    from_helm = helm_history(cluster, namespace, "shop")
    from_records = read_history(cluster, namespace, "shop")
    assert [e["status"] for e in from_records] == ["superseded", "deployed", "failed"]
    # The newest revision field for field; the older ones by number and status, all the reconciler
    # reads of them (their bodies are not decoded: helm_storage.history).
    assert comparable(from_records[-1]) == comparable(from_helm[-1])
    assert [(e["revision"], e["status"]) for e in from_records] == [(e["revision"], e["status"]) for e in from_helm]
    cluster.helm("upgrade", "shop", str(chart), "-n", namespace, "--set", "colour=green",
                 "--description", "storefleet digest=ccc")
    newest = read_history(cluster, namespace, "shop")[-1]
    assert comparable(newest) == comparable(helm_history(cluster, namespace, "shop")[-1])
    assert newest["chart"] == "tiny-1.2.3" and newest["description"] == "storefleet digest=ccc"


def test_no_namespace_means_no_history(cluster: LocalCluster) -> None:
    assert read_history(cluster, "no-such-namespace-here", "shop") == []


def test_another_release_in_the_namespace_is_not_mixed_in(cluster: LocalCluster, namespace: str,
                                                           tmp_path: Path) -> None:
    chart = tiny_chart(tmp_path / "tiny")
    for release in ("shop", "shop-2"):
        cluster.helm("install", release, str(chart), "-n", namespace)
    assert [(e["revision"], e["status"]) for e in read_history(cluster, namespace, "shop")] == [(1, "deployed")]
    assert json.dumps(read_history(cluster, namespace, "shop-2")).count('"revision"') == 1
