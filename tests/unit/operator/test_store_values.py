"""The Helm values of a store: data, never strings helm parses; hostile names stay one value."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.unit.operator.storekit import store

from storefleet_localcluster.toolchain import REPO_ROOT, binary
from storefleet_operator.store import values as v

pytestmark = pytest.mark.unit

CHART = REPO_ROOT / "helm" / "ecommerce-store"
HOSTILE = [
    pytest.param("Shop, resourceQuota.enabled=false", id="comma-and-equals"),
    pytest.param('Bob\'s "best" shop', id="quotes"),
    pytest.param("$(id) `uname` ${HOME}", id="shell-substitutions"),
    pytest.param("{{ .Values.credentials }}", id="helm-template-syntax"),
    pytest.param("Café ☕ — 東京ストア", id="unicode"),
    pytest.param("x" * 80, id="80-characters"),
    pytest.param("--set engine=medusa", id="looks-like-a-flag"),
]


@pytest.mark.parametrize("display_name", HOSTILE)
def test_a_hostile_display_name_is_one_string_value(display_name: str) -> None:
    values = v.store_values(store(display_name=display_name), host="shop-alice.localhost", baked_images=False)
    assert values["store"]["displayName"] == display_name
    # It survives the JSON that pyhelm3 sends on stdin unchanged and changes no other key.
    assert json.loads(json.dumps(values)) == values
    assert values["engine"] == "woocommerce"
    assert set(values) == {"engine", "store", "credentials", "ingress", "woocommerce"}


@pytest.mark.parametrize("display_name", HOSTILE)
def test_helm_renders_a_hostile_display_name_as_data(display_name: str, tmp_path: Path) -> None:
    """The real helm binary renders the chart from the values as data (--values file, as from stdin)."""
    values = v.store_values(store(display_name=display_name), host="shop-alice.localhost", baked_images=False)
    path = tmp_path / "values.json"
    path.write_text(json.dumps(values))
    out = subprocess.run(
        [str(binary("helm")), "template", "shop", str(CHART), "--namespace", "store-shop", "--values", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    docs = [d for d in yaml.safe_load_all(out.stdout) if d]
    quota = next(d for d in docs if d["kind"] == "ResourceQuota")
    assert quota["spec"]["hard"]["requests.cpu"] == "1"  # the comma trick did not rewrite the quota
    assert all(d["metadata"].get("labels", {}).get("storefleet.io/engine") == "woocommerce" for d in docs)
    assert all(d["metadata"]["labels"]["storefleet.io/store-namespace"] == "tenant-alice" for d in docs)


def test_per_store_values_follow_the_spec() -> None:
    woo = v.store_values(store(woocommerce={"theme": "astra"}, uid="u-1"), host="h.localhost", baked_images=True)
    assert woo["woocommerce"] == {"theme": "astra", "bakedImage": {"enabled": True}}
    assert woo["credentials"] == {"existingSecret": "shop-credentials"}
    # namespace and uid label every chart object, so the orphan sweep knows whose they are.
    assert woo["store"] == {
        "name": "shop", "displayName": "Alice's Shop", "tenant": "alice", "namespace": "tenant-alice", "uid": "u-1"
    }
    medusa = v.store_values(
        store(engine="medusa", medusa={"storefront": {"enabled": False}}), host="h", baked_images=True
    )
    assert medusa["medusa"] == {"storefront": {"enabled": False}}
    assert "woocommerce" not in medusa


@pytest.mark.parametrize(
    ("name", "namespace", "host"),
    [
        pytest.param("shop", "tenant-alice", "shop-alice.localhost", id="tenant-store"),
        pytest.param("shop", "team-x", "shop-team-x.localhost", id="outside-a-tenant-namespace"),
    ],
)
def test_store_host(name: str, namespace: str, host: str) -> None:
    assert v.store_host(store(name=name, namespace=namespace), ".localhost") == host


def test_a_long_host_label_is_cut_with_a_hash_and_stays_unique() -> None:
    a = v.store_host(store(name="s" * 40, namespace="tenant-" + "a" * 40), ".localhost")
    b = v.store_host(store(name="s" * 40, namespace="tenant-" + "a" * 39 + "b"), ".localhost")
    label = a.split(".")[0]
    assert len(label) == 63
    assert a != b


def test_layers_merge_maps_and_replace_lists_like_helm() -> None:
    merged = v.layered(
        {"networkPolicy": {"enabled": True, "ingressNamespaces": ["ingress-nginx"]}},
        {"networkPolicy": {"ingressNamespaces": ["kube-system"]}},
        {"engine": "medusa"},
    )
    assert merged == {"networkPolicy": {"enabled": True, "ingressNamespaces": ["kube-system"]}, "engine": "medusa"}


def test_extra_values_apply_only_to_matching_stores() -> None:
    extra: dict[str, dict[str, Any]] = {
        "tenant-alice/*": {"podAnnotations": {"a": "1"}},
        "tenant-alice/shop": {"podAnnotations": {"b": "2"}},
        "tenant-bob/*": {"podAnnotations": {"c": "3"}},
    }
    assert v.extra_values_for(store(), extra) == {"podAnnotations": {"a": "1", "b": "2"}}
    assert v.extra_values_for(store(name="other"), extra) == {"podAnnotations": {"a": "1"}}
    assert v.extra_values_for(store(namespace="tenant-carol"), extra) == {}


def test_the_digest_ignores_key_order_and_changes_with_values_or_chart() -> None:
    a = v.values_digest({"a": 1, "b": {"c": 2}}, "ecommerce-store-0.1.0")
    assert a == v.values_digest({"b": {"c": 2}, "a": 1}, "ecommerce-store-0.1.0")
    assert a != v.values_digest({"a": 2, "b": {"c": 2}}, "ecommerce-store-0.1.0")
    assert a != v.values_digest({"a": 1, "b": {"c": 2}}, "ecommerce-store-0.2.0")
    assert v.digest_from_description(v.release_description(a)) == a
    assert v.digest_from_description("Upgrade complete") is None
    assert v.digest_from_description(None) is None


def test_values_files_are_read_and_a_bad_one_is_named(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("ingress:\n  hostSuffix: .localhost\n")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert v.load_values_files([good, empty]) == [{"ingress": {"hostSuffix": ".localhost"}}, {}]
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a list\n")
    with pytest.raises(ValueError, match=r"bad\.yaml"):
        v.load_values_files([bad])
    with pytest.raises(ValueError, match=r"missing\.yaml"):
        v.load_values_files([tmp_path / "missing.yaml"])


def test_a_values_file_is_read_again_when_it_changes_and_callers_get_their_own_copy(tmp_path: Path) -> None:
    path = tmp_path / "platform.yaml"
    path.write_text("ingress:\n  hostSuffix: .localhost\n")
    first = v.load_values_files([path])[0]
    first["ingress"]["hostSuffix"] = "changed by a caller"
    assert v.load_values_files([path]) == [{"ingress": {"hostSuffix": ".localhost"}}]
    path.write_text("ingress:\n  hostSuffix: .example.test\n")  # same size: the mtime tells
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert v.load_values_files([path]) == [{"ingress": {"hostSuffix": ".example.test"}}]
    path.write_text("- now a list\n")
    with pytest.raises(ValueError, match=r"platform\.yaml"):
        v.load_values_files([path])


def test_chart_reference_names_the_chart_as_helm_history_does() -> None:
    meta = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert v.chart_reference(CHART) == f"ecommerce-store-{meta['version']}"
