"""The generated CRDs on a real kube-apiserver: accepted, samples apply, CEL rules refuse bad Stores with
their messages, printer columns and `kubectl explain` read well, and status is a real subresource."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from storefleet_localcluster.cluster import LocalCluster
from storefleet_operator import contract, naming
from storefleet_operator.models import (
    HistoryEntry,
    Reason,
    Store,
    StoreStatus,
    append_history,
    mark_ready,
    mark_reconciling,
)
from storefleet_operator.models.store import ENGINE_IMMUTABLE, MEDUSA_ONLY, WOOCOMMERCE_ONLY

pytestmark = pytest.mark.cluster

CRDS = Path(__file__).resolve().parents[3] / "crds"
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def crds(cluster: LocalCluster) -> subprocess.CompletedProcess[str]:
    # Server-side apply, like the platform installer: the CRDs may already be there from other tests,
    # and a client-side apply over a server-side-applied object warns about last-applied annotations.
    applied = cluster.kubectl(
        "apply",
        "--server-side",
        "--force-conflicts",
        "-f",
        str(CRDS / "stores.storefleet.io.yaml"),
        "-f",
        str(CRDS / "tenants.storefleet.io.yaml"),
    )
    cluster.kubectl(
        "wait", "--for=condition=Established", "--timeout=60s",
        "crd/stores.storefleet.io", "crd/tenants.storefleet.io",
    )  # fmt: skip
    return applied


def store(name: str, namespace: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": contract.API_VERSION,
        "kind": "Store",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"engine": "woocommerce", "displayName": "Test Shop", **spec},
    }


def apply(cluster: LocalCluster, *objects: dict[str, Any], check: bool = True) -> subprocess.CompletedProcess[str]:
    return cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(objects), check=check)


def get(cluster: LocalCluster, namespace: str, name: str) -> dict[str, Any]:
    got: dict[str, Any] = json.loads(cluster.kubectl("get", "store", name, "-n", namespace, "-o", "json").stdout)
    return got


def patch(cluster: LocalCluster, namespace: str, name: str, body: dict[str, Any], *, status: bool = False,
          check: bool = True) -> subprocess.CompletedProcess[str]:  # fmt: skip
    extra = ["--subresource=status"] if status else []
    return cluster.kubectl(
        "patch", "store", name, "-n", namespace, "--type=merge", "-p", json.dumps(body), *extra, check=check
    )


def test_crds_are_accepted_without_warnings(crds: subprocess.CompletedProcess[str], cluster: LocalCluster) -> None:
    assert "Warning" not in crds.stderr, crds.stderr
    for name in ("stores.storefleet.io", "tenants.storefleet.io"):
        conditions = json.loads(cluster.kubectl("get", "crd", name, "-o", "json").stdout)["status"]["conditions"]
        assert {c["type"]: c["status"] for c in conditions}["NamesAccepted"] == "True"


@pytest.fixture
def samples(cluster: LocalCluster, crds: object) -> Iterator[list[Path]]:
    paths = [CRDS / "samples" / n for n in ("00-tenant-demo.yaml", "10-store-woocommerce.yaml", "20-store-medusa.yaml")]
    yield paths
    for path in paths:
        cluster.kubectl("delete", "-f", str(path), "--ignore-not-found", "--timeout=60s", check=False)


def test_samples_apply_and_read_back_as_valid_models(cluster: LocalCluster, samples: list[Path]) -> None:
    applied = cluster.kubectl("apply", *[arg for p in samples for arg in ("-f", str(p))])
    assert "Warning" not in applied.stderr, applied.stderr
    listed = json.loads(cluster.kubectl("get", "stores", "-n", "tenant-demo", "-o", "json").stdout)["items"]
    by_name = {item["metadata"]["name"]: Store.from_body(item) for item in listed}
    assert by_name["demo-woo"].spec.woocommerce_options().theme == "storefront"
    assert by_name["demo-medusa"].spec.medusa_options().storefront.enabled is True
    tenant = json.loads(cluster.kubectl("get", "tenant", "demo", "-o", "json").stdout)
    assert tenant["spec"]["storeLimit"] == 5


def test_category_and_short_names_list_everything(cluster: LocalCluster, samples: list[Path]) -> None:
    cluster.kubectl("apply", *[arg for p in samples for arg in ("-f", str(p))])
    everything = cluster.kubectl("get", "storefleet", "-A", "-o", "name").stdout.split()
    assert {"store.storefleet.io/demo-woo", "store.storefleet.io/demo-medusa", "tenant.storefleet.io/demo"} <= set(
        everything
    )
    assert "demo-woo" in cluster.kubectl("get", "st", "-n", "tenant-demo").stdout
    assert "demo" in cluster.kubectl("get", "tn").stdout


def test_server_applies_defaults_for_engine_options(cluster: LocalCluster, crds: object, namespace: str) -> None:
    apply(cluster, store("woo", namespace, woocommerce={}), store("med", namespace, engine="medusa", medusa={}))
    assert get(cluster, namespace, "woo")["spec"]["woocommerce"] == {"theme": "storefront"}
    assert get(cluster, namespace, "med")["spec"]["medusa"] == {"storefront": {"enabled": True}}


def test_engine_cannot_change(cluster: LocalCluster, crds: object, namespace: str) -> None:
    apply(cluster, store("shop", namespace))
    refused = patch(cluster, namespace, "shop", {"spec": {"engine": "medusa"}}, check=False)
    assert refused.returncode != 0
    assert ENGINE_IMMUTABLE in refused.stderr
    assert "spec.engine is immutable" in refused.stderr  # the words a person reads, not just a constant
    assert get(cluster, namespace, "shop")["spec"]["engine"] == "woocommerce"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        pytest.param({"engine": "medusa", "woocommerce": {"theme": "astra"}}, WOOCOMMERCE_ONLY, id="woo-on-medusa"),
        pytest.param({"engine": "woocommerce", "medusa": {}}, MEDUSA_ONLY, id="medusa-on-woo"),
    ],
)
def test_engine_options_must_match_the_engine(
    cluster: LocalCluster, crds: object, namespace: str, spec: dict[str, Any], message: str
) -> None:
    refused = apply(cluster, store("mixed", namespace, **spec), check=False)
    assert refused.returncode != 0
    assert message in refused.stderr
    assert "only allowed when spec.engine is" in refused.stderr


@pytest.mark.parametrize(
    ("name", "says"),
    [
        pytest.param("s" * 41, "must be at most 40 characters because it names the store's namespace", id="41"),
        pytest.param("1shop", "must consist of lowercase letters, digits and '-', start with a letter", id="digit"),
    ],
)
def test_store_names_that_break_derived_names_are_refused(
    cluster: LocalCluster, crds: object, namespace: str, name: str, says: str
) -> None:
    refused = apply(cluster, store(name, namespace), check=False)
    assert refused.returncode != 0
    assert says in refused.stderr
    assert "metadata.name" in refused.stderr


def test_longest_legal_store_name_is_accepted(cluster: LocalCluster, crds: object, namespace: str) -> None:
    name = "s" * naming.STORE_NAME_MAX
    apply(cluster, store(name, namespace))
    assert get(cluster, namespace, name)["metadata"]["name"] == name


def test_manifests_built_from_the_models_are_accepted(cluster: LocalCluster, crds: object, namespace: str) -> None:
    from storefleet_operator.models import Owner, StoreMetadata, StoreSpec, Tenant, TenantMetadata, TenantSpec

    tenant = Tenant(
        metadata=TenantMetadata(name=f"m-{namespace[-5:]}"),
        spec=TenantSpec(owners=[Owner(kind="User", name="ünïcode@example.com")], display_name="Ünïcode Ltd"),
    )
    built = Store(metadata=StoreMetadata(name="built", namespace=namespace),
                  spec=StoreSpec(engine="medusa", display_name="東京ストア 🛒"))  # fmt: skip
    try:
        apply(cluster, tenant.manifest(), built.manifest())
        assert Store.from_body(get(cluster, namespace, "built")).spec == built.spec
        tenant_read = json.loads(cluster.kubectl("get", "tenant", tenant.metadata.name, "-o", "json").stdout)
        assert Tenant.from_body(tenant_read).spec == tenant.spec  # storeLimit defaulted alike on both sides
    finally:
        cluster.kubectl("delete", "tenant", tenant.metadata.name, "--ignore-not-found", check=False)


def test_tenant_names_that_break_the_namespace_name_are_refused(cluster: LocalCluster, crds: object) -> None:
    tenant = {
        "apiVersion": contract.API_VERSION,
        "kind": "Tenant",
        "metadata": {"name": "t" * 41},
        "spec": {"owners": [{"kind": "User", "name": "x@example.com"}], "displayName": "X"},
    }
    refused = apply(cluster, tenant, check=False)
    assert refused.returncode != 0
    assert "metadata.name of a Tenant must be at most 40 characters" in refused.stderr


def ready_status(generation: int) -> dict[str, Any]:
    """A full status built only with the model helpers the operator uses."""
    conditions = mark_reconciling([], Reason.PROVISIONING, "installing", generation=generation, now=T0)
    conditions = mark_ready(conditions, Reason.SUCCEEDED, "Store is ready", generation=generation, now=T0)
    history = append_history([], HistoryEntry(time=T0, phase="Ready", reason=Reason.SUCCEEDED, message="ready"))
    status = StoreStatus(
        phase="Ready",
        observed_generation=generation,
        conditions=conditions,
        url="http://shop.localhost",
        namespace="store-shop-0123abcd",
        history=history,
    )
    dumped: dict[str, Any] = status.model_dump(mode="json", exclude_none=True)
    return dumped


def test_printer_columns_show_engine_phase_ready_url_and_wide_extras(
    cluster: LocalCluster, crds: object, namespace: str
) -> None:
    apply(cluster, store("shop", namespace))
    patch(cluster, namespace, "shop", {"status": ready_status(1)}, status=True)
    table = cluster.kubectl("get", "stores", "-n", namespace, "-o", "wide").stdout.splitlines()
    assert re.split(r"\s{2,}", table[0].strip()) == [
        "NAME", "ENGINE", "PHASE", "READY", "URL", "SIMULATED", "AGE", "STORE-NAMESPACE", "REASON",
    ]  # fmt: skip
    row = table[1].split()
    assert row[:5] == ["shop", "woocommerce", "Ready", "True", "http://shop.localhost"]
    assert row[-2:] == ["store-shop-0123abcd", "Succeeded"]
    narrow = cluster.kubectl("get", "stores", "-n", namespace).stdout.splitlines()[0]
    assert "STORE-NAMESPACE" not in narrow and "REASON" not in narrow
    # Across namespaces the object's own namespace and the store's workload namespace stay distinct.
    across = cluster.kubectl("get", "stores", "-A", "-o", "wide").stdout.splitlines()[0].split()
    assert across.count("NAMESPACE") == 1 and "STORE-NAMESPACE" in across


def test_kubectl_wait_for_ready_works_on_model_written_conditions(
    cluster: LocalCluster, crds: object, namespace: str
) -> None:
    apply(cluster, store("shop", namespace))
    patch(cluster, namespace, "shop", {"status": ready_status(1)}, status=True)
    cluster.kubectl("wait", "store/shop", "-n", namespace, "--for=condition=Ready", "--timeout=10s")
    assert Store.from_body(get(cluster, namespace, "shop")).status.phase == "Ready"


def test_explain_prints_the_model_descriptions(cluster: LocalCluster, crds: object) -> None:
    # The apiserver publishes a new CRD's OpenAPI a moment after it is Established.
    deadline = time.monotonic() + 60
    explained = cluster.kubectl("explain", "store.spec", check=False)
    while "The e-commerce engine" not in explained.stdout and time.monotonic() < deadline:
        time.sleep(1)
        explained = cluster.kubectl("explain", "store.spec", check=False)
    assert "The e-commerce engine: woocommerce (WordPress + MariaDB) or medusa" in explained.stdout
    assert "displayName\t<string> -required-" in explained.stdout
    theme = " ".join(cluster.kubectl("explain", "store.spec.woocommerce.theme").stdout.split())  # unwrap
    assert "ENUM: storefront astra" in theme
    assert "WordPress theme activated at setup: storefront or astra. Defaults to storefront." in theme


def test_status_is_a_subresource(cluster: LocalCluster, crds: object, namespace: str) -> None:
    apply(cluster, store("shop", namespace))
    patch(cluster, namespace, "shop", {"status": {"phase": "Provisioning", "failures": 2}}, status=True)
    before = get(cluster, namespace, "shop")
    assert before["metadata"]["generation"] == 1  # status writes do not bump the generation

    # A spec write through the main resource cannot touch status...
    patch(cluster, namespace, "shop", {"spec": {"displayName": "Renamed"}, "status": {"phase": "Ready"}})
    after_spec = get(cluster, namespace, "shop")
    assert after_spec["spec"]["displayName"] == "Renamed"
    assert after_spec["status"] == before["status"]
    assert after_spec["metadata"]["generation"] == 2

    # ...and a status write cannot touch spec.
    patch(cluster, namespace, "shop", {"spec": {"displayName": "Sneaky"}, "status": {"phase": "Ready"}}, status=True)
    after_status = get(cluster, namespace, "shop")
    assert after_status["status"]["phase"] == "Ready"
    assert after_status["spec"]["displayName"] == "Renamed"
    assert after_status["metadata"]["generation"] == 2


@pytest.mark.parametrize(
    ("status", "says"),
    [
        pytest.param({"phase": "Bogus"}, "status.phase", id="phase"),
        pytest.param(
            {"conditions": [{"type": "Ready", "status": "Yes", "reason": "Succeeded", "message": "",
                             "lastTransitionTime": "2026-01-01T09:00:00Z"}]},
            "status.conditions[0].status", id="condition-status",
        ),
        pytest.param(
            {"conditions": [{"type": "Ready", "status": "True", "reason": "not camel", "message": "",
                             "lastTransitionTime": "2026-01-01T09:00:00Z"}]},
            "status.conditions[0].reason", id="condition-reason",
        ),
        pytest.param({"history": [{"time": "2026-01-01T09:00:00Z", "phase": "Ready", "reason": "Succeeded"}] * 21},
                     "status.history", id="history-bound"),
    ],
)  # fmt: skip
def test_apiserver_refuses_malformed_status(
    cluster: LocalCluster, crds: object, namespace: str, status: dict[str, Any], says: str
) -> None:
    apply(cluster, store("shop", namespace))
    refused = patch(cluster, namespace, "shop", {"status": status}, status=True, check=False)
    assert refused.returncode != 0
    assert says in refused.stderr
