"""The committed CRDs are exactly what crdgen makes from the models, they agree with the models field by
field, and they are structural (the API server would refuse them otherwise)."""

from __future__ import annotations

import types
import typing
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml
from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from storefleet_operator import crdgen, naming
from storefleet_operator.models import StoreSpec, StoreStatus, TenantSpec, TenantStatus
from storefleet_operator.models.store import MEDUSA_ONLY, WOOCOMMERCE_ONLY

pytestmark = pytest.mark.unit

CRDS = Path(__file__).resolve().parents[3] / "crds"


def committed(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CRDS / name).read_text(encoding="utf-8"))
    return loaded


def root(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = committed(name)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def test_committed_crds_equal_generated_output() -> None:
    diffs = crdgen.stale(CRDS)
    assert not diffs, "crds/ is stale; run `python -m storefleet_operator.crdgen --write`\n" + "".join(diffs)


def test_check_mode_fails_with_a_diff_on_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert crdgen.main(["--write", "--dir", str(tmp_path)]) == 0
    assert crdgen.main(["--check", "--dir", str(tmp_path)]) == 0
    path = tmp_path / "stores.storefleet.io.yaml"
    path.write_text(path.read_text().replace("shortNames:\n    - st", "shortNames:\n    - sto"))
    capsys.readouterr()
    assert crdgen.main(["--check", "--dir", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert "-    - sto\n+    - st\n" in out
    assert "crdgen --write" in err


# --- models <-> CRD, field by field, by reading the Python types (not pydantic's JSON Schema) ---


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """Strip Optional[...] and Annotated[...], returning the bare type and its constraint metadata."""
    metadata: list[Any] = []
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation, *extra = typing.get_args(annotation)
            metadata.extend(extra)
        elif typing.get_origin(annotation) in (typing.Union, types.UnionType):
            non_null = [a for a in typing.get_args(annotation) if a is not type(None)]
            assert len(non_null) == 1
            annotation = non_null[0]
        else:
            return annotation, metadata


def _check_constraints(metadata: list[Any], node: dict[str, Any], where: str) -> None:
    for item in metadata:
        for constraint in getattr(item, "metadata", [item]):  # FieldInfo inside Annotated carries a list
            if isinstance(constraint, MaxLen):
                assert constraint.max_length in (node.get("maxLength"), node.get("maxItems")), where
            elif isinstance(constraint, MinLen):
                assert constraint.min_length in (node.get("minLength"), node.get("minItems")), where
            elif isinstance(constraint, Ge):
                assert node.get("minimum") == constraint.ge, where
            elif isinstance(constraint, Le):
                assert node.get("maximum") == constraint.le, where


def _check_type(annotation: Any, metadata: list[Any], node: dict[str, Any], where: str) -> None:
    annotation, more = _unwrap(annotation)
    _check_constraints(metadata + more, node, where)
    origin = typing.get_origin(annotation)
    if origin is Literal:
        assert node["type"] == "string" and node["enum"] == list(typing.get_args(annotation)), where
    elif origin is list:
        assert node["type"] == "array", where
        _check_type(typing.get_args(annotation)[0], [], node["items"], f"{where}[]")
    elif origin is dict:
        assert node["type"] == "object", where
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        _check_model(annotation, node, where)
    elif annotation is datetime:
        assert (node["type"], node["format"]) == ("string", "date-time"), where
    else:
        expected = {str: "string", int: "integer", bool: "boolean"}[annotation]
        assert node["type"] == expected, where


def _check_model(model: type[BaseModel], node: dict[str, Any], where: str) -> None:
    assert node["type"] == "object", where
    assert "x-kubernetes-preserve-unknown-fields" not in node, where
    fields = {(f.alias or name): f for name, f in model.model_fields.items()}
    assert set(node["properties"]) == set(fields), where
    assert set(node.get("required", [])) == {a for a, f in fields.items() if f.is_required()}, where
    for alias, field in fields.items():
        child = node["properties"][alias]
        path = f"{where}.{alias}"
        assert child.get("description"), f"{path} has no description for kubectl explain"
        _check_type(field.annotation, list(field.metadata), child, path)
        if field.default is not PydanticUndefined and field.default is not None:
            default = field.default.model_dump(mode="json") if isinstance(field.default, BaseModel) else field.default
            assert child.get("default") == default, path
        else:
            assert "default" not in child, path


@pytest.mark.parametrize(
    ("crd", "part", "model"),
    [
        pytest.param("stores.storefleet.io.yaml", "spec", StoreSpec, id="store-spec"),
        pytest.param("stores.storefleet.io.yaml", "status", StoreStatus, id="store-status"),
        pytest.param("tenants.storefleet.io.yaml", "spec", TenantSpec, id="tenant-spec"),
        pytest.param("tenants.storefleet.io.yaml", "status", TenantStatus, id="tenant-status"),
    ],
)
def test_every_model_field_is_in_the_crd_with_the_same_type_enum_and_requiredness(
    crd: str, part: str, model: type[BaseModel]
) -> None:
    _check_model(model, root(crd)["properties"][part], part)


# --- structural schema rules the API server enforces ---

FORBIDDEN = {"$ref", "$defs", "anyOf", "oneOf", "allOf", "not", "title", "const", "uniqueItems", "nullable"}


def _walk(node: dict[str, Any], path: str) -> typing.Iterator[tuple[str, dict[str, Any]]]:
    yield path, node
    for name, child in node.get("properties", {}).items():
        yield from _walk(child, f"{path}.{name}")
    if isinstance(node.get("items"), dict):
        yield from _walk(node["items"], f"{path}[]")


@pytest.mark.parametrize("crd", ["stores.storefleet.io.yaml", "tenants.storefleet.io.yaml"])
def test_crd_schema_is_structural(crd: str) -> None:
    for path, node in _walk(root(crd), ""):
        assert "type" in node, f"{path} has no type"
        assert not FORBIDDEN & set(node), f"{path} uses {FORBIDDEN & set(node)}"
        assert node.get("additionalProperties", True) is not False, path
        assert "x-kubernetes-preserve-unknown-fields" not in node, path
        if "format" in node:
            assert node["format"] in {"date-time", "int32", "int64"}, path


def test_store_crd_names_columns_and_subresources() -> None:
    spec = committed("stores.storefleet.io.yaml")["spec"]
    assert spec["scope"] == "Namespaced"
    assert spec["names"]["shortNames"] == ["st"] and spec["names"]["categories"] == ["storefleet"]
    version = spec["versions"][0]
    assert version["subresources"] == {"status": {}}
    columns = {c["name"]: (c["jsonPath"], c.get("priority", 0)) for c in version["additionalPrinterColumns"]}
    assert columns == {
        "Engine": (".spec.engine", 0),
        "Phase": (".status.phase", 0),
        "Ready": ('.status.conditions[?(@.type=="Ready")].status', 0),
        "URL": (".status.url", 0),
        "Simulated": (".status.simulated", 0),
        "Age": (".metadata.creationTimestamp", 0),
        "Store-Namespace": (".status.namespace", 1),
        "Reason": ('.status.conditions[?(@.type=="Ready")].reason', 1),
    }


def test_tenant_crd_is_cluster_scoped_with_short_name() -> None:
    spec = committed("tenants.storefleet.io.yaml")["spec"]
    assert spec["scope"] == "Cluster"
    assert spec["names"]["shortNames"] == ["tn"] and spec["names"]["categories"] == ["storefleet"]


def test_cel_rules_say_the_same_as_the_python_validators() -> None:
    store = root("stores.storefleet.io.yaml")
    spec_rules = {r["message"]: r["rule"] for r in store["properties"]["spec"]["x-kubernetes-validations"]}
    assert spec_rules == {
        WOOCOMMERCE_ONLY: "!has(self.woocommerce) || self.engine == 'woocommerce'",
        MEDUSA_ONLY: "!has(self.medusa) || self.engine == 'medusa'",
    }
    engine_rule = store["properties"]["spec"]["properties"]["engine"]["x-kubernetes-validations"]
    assert engine_rule[0]["rule"] == "self == oldSelf"
    name_rules = [r["rule"] for r in store["x-kubernetes-validations"]]
    assert name_rules == [
        f"self.metadata.name.size() <= {naming.STORE_NAME_MAX}",
        f"self.metadata.name.matches('{naming.STORE_NAME_PATTERN}')",
    ]
    tenant_rules = [r["rule"] for r in root("tenants.storefleet.io.yaml")["x-kubernetes-validations"]]
    assert tenant_rules == [
        f"self.metadata.name.size() <= {naming.TENANT_NAME_MAX}",
        f"self.metadata.name.matches('{naming.TENANT_NAME_PATTERN}')",
    ]


@pytest.mark.parametrize(
    ("schema", "says"),
    [
        pytest.param({"anyOf": [{"type": "string"}, {"type": "integer"}]}, "unions", id="real-union"),
        pytest.param({"type": "array", "uniqueItems": True}, "'uniqueItems'", id="unique-items"),
        pytest.param({"type": "integer", "exclusiveMinimum": 0}, "'exclusiveMinimum'", id="exclusive-minimum"),
        pytest.param({"description": "untyped"}, "needs a type", id="untyped"),
    ],
)
def test_schemas_kubernetes_would_refuse_fail_generation_with_the_path(schema: dict[str, Any], says: str) -> None:
    with pytest.raises(crdgen.SchemaError, match=says) as caught:
        crdgen.structural({"type": "object", "properties": {"field": schema}}, {})
    assert ".field" in str(caught.value)
