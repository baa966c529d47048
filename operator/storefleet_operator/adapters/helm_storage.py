"""Helm's release records, read from the Secrets its storage driver keeps, as ``helm history`` shows them.

Helm 3 stores each revision of a release as a Secret ``sh.helm.release.v1.<release>.v<revision>`` of
type ``helm.sh/release.v1``, labelled ``owner=helm``, ``name=<release>``, ``status`` and ``version``;
its ``release`` key holds the release as JSON, gzipped and base64-encoded (once more by the API's own
encoding of Secret data). Reading those Secrets is one API call where ``helm history`` was a process
(the operator asked on every pass of every store). Pure: the API call is ``StoreKube.release_history``.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Final

import yaml

RELEASE_RECORD_TYPE: Final = "helm.sh/release.v1"
_GZIP_MAGIC: Final = b"\x1f\x8b\x08"
WORKLOAD_KINDS: Final = ("Deployment", "StatefulSet")
_LOADER: Final = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RENDERED_CACHE_SIZE: Final = 4096
_rendered: OrderedDict[bytes, tuple[str, ...]] = OrderedDict()
"""What each manifest rendered, by its SHA-1: parsing a store's 20 KB manifest took 6 ms, on every pass."""


def release_selector(release: str) -> str:
    """The label selector of a release's Secrets (release names are DNS labels: nothing to escape)."""
    return f"owner=helm,name={release}"


def _decode(encoded: str) -> dict[str, Any]:
    """The release JSON in a Secret's ``release`` value; {} when it cannot be read."""
    try:
        payload = base64.b64decode(base64.b64decode(encoded))
        if payload[:3] == _GZIP_MAGIC:
            payload = gzip.decompress(payload)
        found = json.loads(payload)
    except (binascii.Error, OSError, EOFError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def revision(secret: Mapping[str, Any]) -> dict[str, Any]:
    """One entry of ``helm history --output json`` from one release Secret. A record whose body cannot
    be read still says its revision and status from its labels (with no description, so it never
    counts as in sync and the reconciler upgrades over it)."""
    labels = (secret.get("metadata") or {}).get("labels") or {}
    release = _decode(str((secret.get("data") or {}).get("release", "")))
    info = release.get("info") or {}
    chart = (release.get("chart") or {}).get("metadata") or {}
    return {
        "revision": int(release.get("version") or labels.get("version") or 0),
        "updated": info.get("last_deployed"),
        "status": info.get("status") or labels.get("status") or "unknown",
        "chart": f"{chart['name']}-{chart['version']}" if chart.get("name") else "",
        "app_version": chart.get("appVersion", ""),
        "description": info.get("description", ""),
        "workloads": rendered_workloads(release.get("manifest")),
    }


def rendered_workloads(manifest: Any) -> list[str]:
    """``Kind/name`` of each Deployment and StatefulSet the revision rendered, from its manifest; [] when
    it cannot be read (then nothing counts as missing). Compared with what exists, it tells a workload
    deleted by hand, which ``helm upgrade`` makes again. A revision's manifest never changes, so what
    it rendered is remembered (a few thousand manifests, about 200 bytes each)."""
    if not isinstance(manifest, str):
        return []
    key = hashlib.sha1(manifest.encode(), usedforsecurity=False).digest()
    found = _rendered.get(key)
    if found is None:
        found = _rendered[key] = tuple(_parse_workloads(manifest))
        if len(_rendered) > _RENDERED_CACHE_SIZE:
            _rendered.popitem(last=False)
    else:
        _rendered.move_to_end(key)
    return list(found)


def _parse_workloads(manifest: str) -> list[str]:
    try:
        docs = list(yaml.load_all(manifest, Loader=_LOADER))  # a safe loader, in C where built
    except yaml.YAMLError:
        return []
    found = []
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") in WORKLOAD_KINDS:
            name = (doc.get("metadata") or {}).get("name")
            if isinstance(name, str) and name:
                found.append(f"{doc['kind']}/{name}")
    return sorted(found)


def _labelled(secret: Mapping[str, Any]) -> dict[str, Any] | None:
    """A revision from its record's labels alone (number and status), or None without a usable label."""
    labels = (secret.get("metadata") or {}).get("labels") or {}
    version, status = str(labels.get("version", "")), labels.get("status")
    if not version.isdigit() or not status:
        return None
    return {"revision": int(version), "updated": None, "status": status, "chart": "", "app_version": "",
            "description": "", "workloads": []}  # fmt: skip


def history(secrets: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``helm history`` of the release whose Secrets these are, oldest first.

    Only the newest record's body is decoded: what is decided from older revisions (the last one that
    ran, a rollback target) needs their number and status, which helm also keeps in labels. Decoding
    every kept revision (up to ``history_max``) was 13% of the idle operator's Python time (py-spy).
    """
    records = [s for s in secrets if s.get("type") == RELEASE_RECORD_TYPE]
    labelled = [r for r in map(_labelled, records) if r is not None]
    if len(labelled) < len(records) or not records:  # a record without helm's labels: decode them all
        found = [revision(s) for s in records]
    else:
        newest = max(range(len(records)), key=lambda i: int(labelled[i]["revision"]))
        found = [revision(records[i]) if i == newest else labelled[i] for i in range(len(records))]
    return sorted(found, key=lambda r: int(r["revision"]))
