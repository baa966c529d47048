"""The Helm values of one store, built as data: never a `--set` string, never user text on argv.

Pure functions, but for reading the files, which are parsed once per version of each file
(``_yaml_file``): the reconciler builds a store's desired values on every pass. The operator layers, in
order: the platform's values files (``settings.values_files``), the extra values that
``settings.extra_values`` selects for this store, then the per-store contract values built here.
The merged dict goes to helm on stdin (pyhelm3), so a display name full of commas, ``=``, quotes or
``$()`` stays one string value (predecessor bug B1).

The digest of the merged values and the chart is written into the Helm release's description; comparing
it with the desired digest is how the reconciler notices that a release is out of sync (Flux compares
its values digest the same way).
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import yaml

from storefleet_operator import naming
from storefleet_operator.models import Store

DNS_LABEL_MAX: Final = 63
HOST_HASH_LENGTH: Final = 8
DIGEST_PREFIX: Final = "storefleet values sha256:"
_DIGEST_RE: Final = re.compile(re.escape(DIGEST_PREFIX) + r"([0-9a-f]{64})")


def deep_merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``extra`` over ``base``: maps merge key by key, anything else (lists too) is replaced, as Helm does."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def store_owner(store: Store) -> str:
    """Who a store's host and labels name: its tenant, or the namespace for a Store outside one."""
    return naming.tenant_from_namespace(store.metadata.namespace) or store.metadata.namespace


def store_host(store: Store, suffix: str) -> str:
    """The store's public host: ``<store>-<tenant><suffix>``.

    The first label must stay a DNS label (<= 63). A 40-character store name and a 40-character tenant
    would not fit, so a too long label is cut and ends in a hash of the full label: still unique and
    still readable.
    """
    label = f"{store.metadata.name}-{store_owner(store)}"
    if len(label) > DNS_LABEL_MAX:
        digest = hashlib.sha256(label.encode()).hexdigest()[:HOST_HASH_LENGTH]
        label = f"{label[: DNS_LABEL_MAX - HOST_HASH_LENGTH - 1].rstrip('-')}-{digest}"
    return f"{label}{suffix}"


def store_values(store: Store, *, host: str, baked_images: bool) -> dict[str, Any]:
    """The contract values for one store (what the chart's values.yaml says the operator sets)."""
    spec = store.spec
    tenant = naming.tenant_from_namespace(store.metadata.namespace) or ""
    values: dict[str, Any] = {
        "engine": spec.engine,
        "store": {
            "name": store.metadata.name,
            "displayName": spec.display_name,
            "tenant": tenant,
            "namespace": store.metadata.namespace,
            "uid": store.metadata.uid or "",
        },
        "credentials": {"existingSecret": naming.credentials_secret_name(store.metadata.name)},
        "ingress": {"host": host},
    }
    if spec.engine == "woocommerce":
        values["woocommerce"] = {
            "theme": spec.woocommerce_options().theme,
            "bakedImage": {"enabled": baked_images},
        }
    else:
        values["medusa"] = {"storefront": {"enabled": spec.medusa_options().storefront.enabled}}
    return values


def extra_values_for(store: Store, extra: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The settings' extra values whose glob matches ``<namespace>/<store>``, merged in sorted order."""
    key = f"{store.metadata.namespace}/{store.metadata.name}"
    merged: dict[str, Any] = {}
    for pattern in sorted(extra):
        if fnmatch.fnmatchcase(key, pattern):
            merged = deep_merge(merged, extra[pattern])
    return merged


def layered(*layers: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = deep_merge(merged, layer)
    return merged


def _yaml_file(path: Path) -> Any:
    """A YAML file's data, parsed again only when the file changed (size, mtime or inode).

    Parsing is pure Python and was the operator's largest cost per pass, on its event loop; the files
    change only when the platform is reconfigured. Callers get their own copy to change as they like.
    """
    stat = path.stat()
    return copy.deepcopy(_parse_yaml(path, stat.st_ino, stat.st_size, stat.st_mtime_ns))


@functools.lru_cache(maxsize=64)
def _parse_yaml(path: Path, _inode: int, _size: int, _mtime_ns: int) -> Any:
    return yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe


def load_values_files(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Read the platform's values files; a missing or malformed file is an error naming the file."""
    loaded = []
    for path in paths:
        try:
            data = _yaml_file(path)
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"cannot read the values file {path}: {exc}") from exc
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ValueError(f"the values file {path} must hold a YAML mapping")
        loaded.append(data)
    return loaded


def values_digest(values: Mapping[str, Any], chart: str) -> str:
    """A stable digest of the values and chart a release should run (key order does not matter)."""
    canonical = json.dumps({"chart": chart, "values": values}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def release_description(digest: str) -> str:
    return f"{DIGEST_PREFIX}{digest}"


def digest_from_description(description: str | None) -> str | None:
    """The digest the operator wrote into a revision's description, or None (another writer, a failure)."""
    if not description:
        return None
    found = _DIGEST_RE.search(description)
    return found.group(1) if found else None


def chart_reference(chart_dir: Path) -> str:
    """``<name>-<version>`` of a chart directory, as ``helm history`` prints it."""
    meta = _yaml_file(chart_dir / "Chart.yaml")
    return f"{meta['name']}-{meta['version']}"
