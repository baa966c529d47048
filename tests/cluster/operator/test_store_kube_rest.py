"""The operator's Kubernetes adapter (plain REST through the client's ApiClient, no generated API classes)
against the real API server: every call it makes, the answers it turns into ``None``/``False``, and
errors that say what failed without quoting a Secret's values."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from storefleet_localcluster.cluster import LocalCluster
from storefleet_operator import contract
from storefleet_operator.adapters.kube import KubeError, StoreKube

pytestmark = pytest.mark.cluster
T = TypeVar("T")


def run(cluster: LocalCluster, use: Callable[[StoreKube], Awaitable[T]]) -> T:
    async def go() -> T:
        api = cluster.api_client()
        try:
            return await use(StoreKube(api))
        finally:
            api.close()

    return asyncio.run(go())


def kubectl_json(cluster: LocalCluster, *args: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(cluster.kubectl(*args, "-o", "json").stdout)
    return loaded


def test_namespaces_secrets_rbac_and_events_round_trip(cluster: LocalCluster) -> None:
    name = f"kube-rest-{uuid.uuid4().hex[:6]}"
    labels = {contract.LABEL_MANAGED_BY: contract.MANAGED_BY, contract.LABEL_STORE: "s1",
              contract.LABEL_STORE_NAMESPACE: "tenant-x"}  # fmt: skip
    secret = {"metadata": {"name": "creds", "namespace": name}, "stringData": {"password": "p4ss, =;$(rm -rf /)"}}
    role = {
        "metadata": {"name": "reader", "namespace": name},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
    }
    binding = {
        "metadata": {"name": "reader", "namespace": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
        "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": name}],
    }

    async def scenario(kube: StoreKube) -> dict[str, Any]:
        out: dict[str, Any] = {"missing": await kube.read_namespace(name)}
        await kube.create_namespace({"metadata": {"name": name}})
        await kube.label_namespace(name, labels)
        out["namespace"] = await kube.read_namespace(name)
        out["listed"] = [ns["metadata"]["name"] for ns in await kube.list_store_namespaces()]
        out["created"] = await kube.create_secret(secret)
        out["created_again"] = await kube.create_secret({**secret, "stringData": {"password": "other"}})
        out["data"] = await kube.read_secret_data(name, "creds")
        out["exists"] = (await kube.secret_exists(name, "creds"), await kube.secret_exists(name, "nope"))
        out["binding_before"] = await kube.rolebinding_exists(name, "reader")
        for _ in range(2):  # the second time replaces
            await kube.apply_role(role)
            await kube.apply_rolebinding(binding)
        out["binding_after"] = await kube.rolebinding_exists(name, "reader")
        regarding = {"apiVersion": "v1", "kind": "Namespace", "namespace": name, "name": name}
        await kube.post_event(regarding, type_="Normal", reason="Tested", message="a, b = c", reporter="test")
        await kube.post_event({**regarding, "uid": out["namespace"]["metadata"]["uid"]}, type_="Warning",
                              reason="TestedUid", message="ünïcode", reporter="test")  # fmt: skip
        out["workloads"] = await kube.list_workloads(name, "nothing")
        out["pods"] = await kube.list_pods(name, {"app": "x"})
        out["ingress"] = await kube.read_ingress(name, "none")
        out["history"] = await kube.release_history(name, "none")
        return out

    try:
        got = run(cluster, scenario)
        assert got["missing"] is None
        assert got["namespace"]["metadata"]["labels"][contract.LABEL_STORE] == "s1"
        assert name in got["listed"]
        assert (got["created"], got["created_again"]) == (True, False)
        assert got["data"] == {"password": "p4ss, =;$(rm -rf /)"}  # never overwritten by the second create
        assert got["exists"] == (True, False)
        assert (got["binding_before"], got["binding_after"]) == (False, True)
        assert kubectl_json(cluster, "get", "rolebinding", "reader", "-n", name)["roleRef"]["name"] == "reader"
        events = {e["reason"]: e for e in kubectl_json(cluster, "get", "events", "-n", name)["items"]}
        assert events["Tested"]["message"] == "a, b = c" and events["Tested"]["source"]["component"] == "test"
        assert events["TestedUid"]["involvedObject"]["uid"] == got["namespace"]["metadata"]["uid"]
        assert events["TestedUid"]["message"] == "ünïcode" and events["TestedUid"]["type"] == "Warning"
        assert got["workloads"] == [] and got["pods"] == [] and got["ingress"] is None and got["history"] == []
        raw = kubectl_json(cluster, "get", "secret", "creds", "-n", name)["data"]["password"]
        assert base64.b64decode(raw).decode() == "p4ss, =;$(rm -rf /)"
    finally:
        run(cluster, lambda kube: kube.delete_namespace(name))
    run(cluster, lambda kube: kube.delete_namespace(name))  # already going: no error


def test_errors_name_the_call_and_never_quote_secret_values(cluster: LocalCluster) -> None:
    async def malformed(kube: StoreKube) -> None:
        await kube.create_secret({"metadata": {"name": "x", "namespace": "default"}, "stringData": {"k": 42}})

    with pytest.raises(KubeError, match="the Secret manifest is malformed") as malformed_error:
        run(cluster, malformed)
    assert "42" not in str(malformed_error.value)

    async def refused(kube: StoreKube) -> None:
        await kube.create_secret({"metadata": {"name": "Not_Valid", "namespace": "default"},
                                  "stringData": {"k": "s3cr3t-value"}})  # fmt: skip

    with pytest.raises(KubeError) as refused_error:
        run(cluster, refused)
    assert refused_error.value.status == 422
    assert "create secret default/Not_Valid: 422" in str(refused_error.value)
    assert "s3cr3t-value" not in str(refused_error.value)

    async def no_namespace(kube: StoreKube) -> None:
        await kube.label_namespace(f"absent-{uuid.uuid4().hex[:6]}", {"a": "b"})

    with pytest.raises(KubeError, match=r"label namespace absent-\w+: 404") as missing:
        run(cluster, no_namespace)
    assert missing.value.status == 404
