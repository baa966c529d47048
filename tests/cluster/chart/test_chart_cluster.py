"""The store chart against the local control plane: server-side dry-run, then a real install per engine.

Container images never run here: kwok turns scheduled pods Running/Ready through its stages, so
probes and the engines themselves are not exercised (tests/e2e_kind does that where Docker exists).
What is real: the apiserver's validation of every rendered object, admission (ResourceQuota,
LimitRange), the controllers that make ReplicaSets, pods and PVCs, and helm's --wait on all of them.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.support import wait_for
from tests.unit.chart.chartkit import CHART, PROFILES, RELEASE, SECRET, operator_values, render_text

from storefleet_localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster

CREDENTIAL_KEYS = (
    "admin-username",
    "admin-email",
    "admin-password",
    "database-password",
    "database-root-password",
    "jwt-secret",
    "cookie-secret",
)

# The Pod Security level each engine's namespace can enforce: Apache in the official WordPress image starts
# as root (baseline); everything else runs as a non-root uid with no capabilities (restricted).
POD_SECURITY = {"woocommerce": "baseline", "medusa": "restricted"}

COMPONENTS = {
    ("woocommerce", False): {"wordpress", "mariadb"},
    ("medusa", False): {"medusa", "postgres"},
    ("medusa", True): {"medusa", "postgres", "storefront"},
}


def create_credentials(cluster: LocalCluster, namespace: str) -> dict[str, str]:
    """What the operator does once per store; values go through stdin, never kubectl's argv."""
    values = {key: secrets.token_hex(16) for key in CREDENTIAL_KEYS}
    values["admin-username"], values["admin-email"] = "owner", "owner@shop.example.test"
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": SECRET},
        "type": "Opaque",
        "stringData": values,
    }
    cluster.kubectl("apply", "-n", namespace, "-f", "-", input=json.dumps(secret))
    return values


def get_json(cluster: LocalCluster, namespace: str, what: str) -> list[dict[str, Any]]:
    listing = cluster.kubectl("get", what, "-n", namespace, "-o", "json").stdout
    items: list[dict[str, Any]] = json.loads(listing)["items"]
    return items


def events(cluster: LocalCluster, namespace: str) -> str:
    """The namespace's recent events: why a pod was refused (quota, limits) when --wait times out."""
    listing = cluster.kubectl("get", "events", "-n", namespace, "--sort-by=.lastTimestamp", check=False)
    return "\n".join(listing.stdout.splitlines()[-20:])




@pytest.mark.parametrize(("engine", "storefront"), list(COMPONENTS), ids=["woocommerce", "medusa", "medusa-storefront"])
def test_rendered_store_passes_server_side_validation(
    cluster: LocalCluster, namespace: str, engine: str, storefront: bool
) -> None:
    manifest = render_text(
        operator_values(engine, storefront=storefront, host=None), PROFILES["local"], namespace=namespace
    )
    objects = [doc for doc in yaml.safe_load_all(manifest) if doc]
    # In warn mode the apiserver checks pod templates of Deployments and StatefulSets too.
    cluster.kubectl("label", "namespace", namespace, f"pod-security.kubernetes.io/warn={POD_SECURITY[engine]}")
    result = cluster.kubectl("apply", "--dry-run=server", "-n", namespace, "-f", "-", input=manifest, check=False)
    assert result.returncode == 0, result.stderr
    # Every object, the helm test pod included, went through the apiserver's validation and admission.
    assert result.stdout.count("(server dry run)") == len(objects), result.stdout
    assert "PodSecurity" not in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("engine", "storefront"),
    [("woocommerce", False), ("medusa", True)],
    ids=["woocommerce", "medusa-storefront"],
)
def test_helm_install_makes_a_ready_isolated_store(
    cluster: LocalCluster, namespace: str, tmp_path: Path, engine: str, storefront: bool
) -> None:
    # Enforced: a pod that breaks the level is refused and --wait would time out.
    cluster.kubectl("label", "namespace", namespace, f"pod-security.kubernetes.io/enforce={POD_SECURITY[engine]}")
    credentials = create_credentials(cluster, namespace)
    operator = tmp_path / "operator-values.yaml"
    operator.write_text(json.dumps(operator_values(engine, storefront=storefront, host=None)))
    install = cluster.helm(
        "install",
        RELEASE,
        str(CHART),
        "-n",
        namespace,
        "-f",
        str(PROFILES["local"][0]),
        "-f",
        str(operator),
        "--wait",
        "--timeout",
        "120s",
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr + events(cluster, namespace)

    # NOTES tell a person where the store is and how to read the login, and print no credential.
    assert "Store:  http://shop.localhost/" in install.stdout
    assert f"kubectl -n {namespace} get secret {SECRET} -o jsonpath='{{.data.admin-password}}'" in install.stdout
    assert not any(value in install.stdout for key, value in credentials.items() if "admin-" not in key)
    assert credentials["admin-password"] not in install.stdout

    for workload in get_json(cluster, namespace, "deployments,statefulsets"):
        name, status = workload["metadata"]["name"], workload["status"]
        assert status.get("readyReplicas") == workload["spec"]["replicas"], f"{name}: {status}"
    pods = get_json(cluster, namespace, "pods")
    assert {p["metadata"]["labels"]["app.kubernetes.io/component"] for p in pods} == COMPONENTS[(engine, storefront)]
    for pod in pods:
        ready = {c["type"]: c["status"] for c in pod["status"]["conditions"]}.get("Ready")
        assert ready == "True", pod["metadata"]["name"]
    assert {c["status"]["phase"] for c in get_json(cluster, namespace, "persistentvolumeclaims")} == {"Bound"}

    guards = cluster.kubectl("get", "networkpolicy,resourcequota,limitrange", "-n", namespace, "-o", "name").stdout
    assert set(guards.split()) == {
        "networkpolicy.networking.k8s.io/shop-isolation",
        "networkpolicy.networking.k8s.io/shop-ingress",
        "resourcequota/shop-quota",
        "limitrange/shop-limits",
    }
    # The quota really admitted (and counts) the store's pods.
    (quota,) = get_json(cluster, namespace, "resourcequota")
    wait_for(
        lambda: (
            get_json(cluster, namespace, "resourcequota")[0]["status"].get("used", {}).get("pods") == str(len(pods))
        ),
        "the quota to count the store's pods",
    )
    assert quota["spec"]["hard"]["requests.storage"] == "5Gi"

    uninstall = cluster.helm("uninstall", RELEASE, "-n", namespace, "--wait", "--timeout", "120s", check=False)
    assert uninstall.returncode == 0, uninstall.stdout + uninstall.stderr
    left = cluster.kubectl(
        "get",
        "deployments,statefulsets,services,ingresses,networkpolicies,resourcequotas,limitranges",
        "-n",
        namespace,
        "-o",
        "name",
    ).stdout
    assert left.split() == []
    # Database volumes go with their StatefulSet (persistentVolumeClaimRetentionPolicy whenDeleted=Delete).
    wait_for(lambda: not get_json(cluster, namespace, "persistentvolumeclaims"), "the store's volumes to go")
    # The credentials Secret is the operator's, not the release's: it stays.
    assert cluster.kubectl("get", "secret", SECRET, "-n", namespace, check=False).returncode == 0
