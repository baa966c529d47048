"""Render, lint and inspect helm/ecommerce-store with the pinned helm binary, for the chart tests.

Shared by tests/unit/chart (helm template/lint, no cluster) and tests/cluster/chart (the same rendered
objects against a real apiserver). Values travel as files of data, the way the operator passes them
through pyhelm3, never as ``--set``. Nothing here asserts; the tests do.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from storefleet_localcluster.toolchain import binary

REPO_ROOT = Path(__file__).resolve().parents[3]
CHART = REPO_ROOT / "helm" / "ecommerce-store"
CI_VALUES = sorted((CHART / "ci").glob("*-values.yaml"))

RELEASE = "shop"
NAMESPACE = "store-shop-0a1b2c3d"
SECRET = "shop-credentials"

PROFILES: dict[str, tuple[Path, ...]] = {
    "default": (),
    "local": (CHART / "values-local.yaml",),
    "vps": (CHART / "values-vps.yaml",),
}
"""Environment layers: the chart defaults alone, the local control plane, a k3s VPS."""

Obj = dict[str, Any]


class HelmFailed(Exception):
    """helm exited non-zero; the message is its combined output."""


def deep_merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def operator_values(
    engine: str, *, storefront: bool = False, host: str | None = "shop.example.test", **extra: Any
) -> dict[str, Any]:
    """The per-store values the operator sends (hostless when ``host`` is None, e.g. with hostSuffix)."""
    values: dict[str, Any] = {
        "engine": engine,
        "store": {"name": RELEASE, "displayName": "Shop & Co", "tenant": "alice"},
        "credentials": {"existingSecret": SECRET},
    }
    if host is not None:
        values["ingress"] = {"host": host}
    if engine == "medusa":
        values["medusa"] = {"storefront": {"enabled": storefront}}
    return deep_merge(values, extra)


def run_helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(binary("helm")), *args], capture_output=True, text=True, timeout=120, check=False)


@contextmanager
def _values_args(values: Mapping[str, Any] | None, files: Sequence[Path]) -> Iterator[list[str]]:
    with tempfile.TemporaryDirectory(prefix="chart-values-") as tmp:
        args = [arg for path in files for arg in ("-f", str(path))]
        if values is not None:
            # JSON is YAML: no quoting surprises for user text such as "Shop & Co".
            operator = Path(tmp) / "operator-values.yaml"
            operator.write_text(json.dumps(values))
            args += ["-f", str(operator)]
        yield args


def render_text(
    values: Mapping[str, Any] | None,
    files: Sequence[Path] = (),
    *,
    release: str = RELEASE,
    namespace: str = NAMESPACE,
) -> str:
    """``helm template`` output; raises HelmFailed with helm's message when rendering is refused."""
    with _values_args(values, files) as args:
        result = run_helm("template", release, str(CHART), "--namespace", namespace, *args)
    if result.returncode != 0:
        raise HelmFailed(result.stdout + result.stderr)
    return result.stdout


def render(values: Mapping[str, Any] | None, files: Sequence[Path] = (), **kwargs: str) -> list[Obj]:
    return [doc for doc in yaml.safe_load_all(render_text(values, files, **kwargs)) if doc]


@cache
def scenario(engine: str, storefront: bool, profile: str) -> tuple[Obj, ...]:
    """One rendered store, cached: many tests look at the same nine renders."""
    host = None if profile == "local" else "shop.example.test"  # local values build it from hostSuffix
    return tuple(render(operator_values(engine, storefront=storefront, host=host), PROFILES[profile]))


def lint(values: Mapping[str, Any] | None, files: Sequence[Path] = ()) -> subprocess.CompletedProcess[str]:
    with _values_args(values, files) as args:
        return run_helm("lint", "--strict", str(CHART), "--namespace", NAMESPACE, *args)


# ---------- looking at rendered objects ----------


def of_kind(objs: Sequence[Obj], kind: str) -> list[Obj]:
    return [o for o in objs if o["kind"] == kind]


def named(objs: Sequence[Obj], kind: str, name: str) -> Obj:
    matches = [o for o in of_kind(objs, kind) if o["metadata"]["name"] == name]
    if len(matches) != 1:
        raise LookupError(f"expected one {kind}/{name}, found {len(matches)}")
    return matches[0]


def names(objs: Sequence[Obj], kind: str) -> set[str]:
    return {o["metadata"]["name"] for o in of_kind(objs, kind)}


WORKLOAD_KINDS = ("Deployment", "StatefulSet")


def workloads(objs: Sequence[Obj]) -> list[Obj]:
    return [o for o in objs if o["kind"] in WORKLOAD_KINDS]


def pod_spec(obj: Obj) -> Obj:
    spec: Obj = obj["spec"] if obj["kind"] == "Pod" else obj["spec"]["template"]["spec"]
    return spec


def pod_labels(obj: Obj) -> dict[str, str]:
    labels: dict[str, str] = (
        obj["metadata"]["labels"] if obj["kind"] == "Pod" else (obj["spec"]["template"]["metadata"]["labels"])
    )
    return labels


@dataclass(frozen=True)
class Container:
    owner: str  # "Deployment/shop-wordpress"
    init: bool
    spec: Obj

    @property
    def name(self) -> str:
        return str(self.spec["name"])

    @property
    def id(self) -> str:
        return f"{self.owner}:{'init:' if self.init else ''}{self.name}"


def containers(objs: Sequence[Obj]) -> list[Container]:
    """Every container of every pod the release makes, init and test containers included."""
    found = []
    for obj in objs:
        if obj["kind"] not in (*WORKLOAD_KINDS, "Pod"):
            continue
        owner = f"{obj['kind']}/{obj['metadata']['name']}"
        spec = pod_spec(obj)
        found += [Container(owner, True, c) for c in spec.get("initContainers", [])]
        found += [Container(owner, False, c) for c in spec["containers"]]
    return found


def env_of(container: Obj) -> dict[str, Obj]:
    return {e["name"]: e for e in container.get("env", [])}


# ---------- Kubernetes quantities ----------

_SUFFIXES: dict[str, Fraction] = {
    "Ki": Fraction(2**10),
    "Mi": Fraction(2**20),
    "Gi": Fraction(2**30),
    "Ti": Fraction(2**40),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "m": Fraction(1, 1000),
    "": Fraction(1),
}


def quantity(value: str | int | float) -> Fraction:
    """A Kubernetes quantity as an exact number ("500m" -> 1/2, "1Gi" -> 1073741824)."""
    text = str(value)
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if suffix and text.endswith(suffix):
            return Fraction(text[: -len(suffix)]) * _SUFFIXES[suffix]
    return Fraction(text)
