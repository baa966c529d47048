"""What the operator makes of a Helm release record it cannot read (the readable ones are compared with
real ``helm history`` in tests/cluster/operator/test_release_history.py)."""

from __future__ import annotations

import base64
import gzip
import json

import pytest

from storefleet_operator.adapters import helm_storage
from storefleet_operator.store import observe

pytestmark = pytest.mark.unit


def record(version: str, status: str, body: str) -> dict[str, object]:
    return {
        "type": helm_storage.RELEASE_RECORD_TYPE,
        "metadata": {"labels": {"owner": "helm", "name": "shop", "status": status, "version": version}},
        "data": {"release": body},
    }


@pytest.mark.parametrize("body", ["", "not base64 at all!", "aGVsbG8=", "H4sIAAAA"])
def test_an_unreadable_record_keeps_its_labels_and_is_never_in_sync(body: str) -> None:
    [entry] = helm_storage.history([record("3", "deployed", body)])
    assert (entry["revision"], entry["status"], entry["description"]) == (3, "deployed", "")
    # No description, so no digest: the reconciler sees the release out of sync and upgrades over it.
    assert observe.digest_from_description(entry["description"]) is None


def test_other_secrets_are_ignored_and_revisions_come_oldest_first() -> None:
    other = {"type": "Opaque", "metadata": {"labels": {"owner": "helm", "name": "shop"}}, "data": {}}
    entries = helm_storage.history([record("10", "deployed", ""), other, record("9", "superseded", "")])
    assert [e["revision"] for e in entries] == [9, 10]


def encoded(release: dict[str, object]) -> str:
    return base64.b64encode(base64.b64encode(gzip.compress(json.dumps(release).encode()))).decode()


def test_only_the_newest_record_is_decoded_the_older_ones_are_read_from_their_labels() -> None:
    newest = {
        "version": 3,
        "info": {"status": "deployed", "description": "storefleet digest=ccc", "last_deployed": "2026-12-04T10:00:00Z"},
        "chart": {"metadata": {"name": "ecommerce-store", "version": "0.4.0", "appVersion": "1"}},
    }
    # The older bodies would not even decode: they are never looked at.
    entries = helm_storage.history([record("3", "deployed", encoded(newest)), record("1", "superseded", "%%"),
                                    record("2", "failed", "%%")])  # fmt: skip
    assert [(e["revision"], e["status"], e["description"]) for e in entries] == [
        (1, "superseded", ""),
        (2, "failed", ""),
        (3, "deployed", "storefleet digest=ccc"),
    ]
    assert entries[-1]["chart"] == "ecommerce-store-0.4.0" and entries[-1]["updated"] == "2026-12-04T10:00:00Z"


def test_records_without_helms_labels_are_all_decoded() -> None:
    unlabelled = record("1", "deployed", encoded({"version": 1, "info": {"status": "superseded"}}))
    unlabelled["metadata"] = {"labels": {"owner": "helm", "name": "shop"}}
    newest = record("2", "deployed", encoded({"version": 2, "info": {"status": "deployed", "description": "d"}}))
    entries = helm_storage.history([unlabelled, newest])
    found = [(e["revision"], e["status"], e["description"]) for e in entries]
    assert found == [(1, "superseded", ""), (2, "deployed", "d")]


MANIFEST = """---
# Source: ecommerce-store/templates/wordpress.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-wordpress
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: shop-mariadb
---
apiVersion: v1
kind: Service
metadata:
  name: shop-wordpress
"""


def test_the_newest_record_names_the_workloads_its_manifest_rendered() -> None:
    newest = {"version": 2, "info": {"status": "deployed"}, "manifest": MANIFEST}
    entries = helm_storage.history([record("2", "deployed", encoded(newest)), record("1", "superseded", "%%")])
    assert [e["workloads"] for e in entries] == [[], ["Deployment/shop-wordpress", "StatefulSet/shop-mariadb"]]


@pytest.mark.parametrize(
    "manifest",
    [None, 42, "", "kind: Deployment\nmetadata: [unclosed", "--- just a string\n--- [1, 2]\n",
     "kind: Deployment\nmetadata: {name: ''}\n---\nkind: StatefulSet\n"],
    ids=["absent", "not-text", "empty", "not-yaml", "not-mappings", "nameless"],
)  # fmt: skip
def test_a_manifest_that_cannot_be_read_names_no_workload(manifest: object) -> None:
    # Nothing rendered means nothing counts as missing: an unreadable record never triggers an upgrade.
    assert helm_storage.rendered_workloads(manifest) == []


def test_a_rendered_workload_that_does_not_exist_is_missing() -> None:
    existing = [{"kind": "StatefulSet", "metadata": {"name": "shop-mariadb"}}]
    view = observe.rollout_view(existing, ["Deployment/shop-wordpress", "StatefulSet/shop-mariadb"])
    assert view.missing == ("Deployment/shop-wordpress",)
    assert observe.rollout_view(existing, ["StatefulSet/shop-mariadb"]).missing == ()


def test_what_a_manifest_rendered_is_remembered_within_a_bound() -> None:
    first = helm_storage.rendered_workloads(MANIFEST)
    first.append("Deployment/changed-by-a-caller")
    assert helm_storage.rendered_workloads(MANIFEST) == ["Deployment/shop-wordpress", "StatefulSet/shop-mariadb"]
    for i in range(helm_storage._RENDERED_CACHE_SIZE + 10):
        helm_storage.rendered_workloads(f"kind: Deployment\nmetadata: {{name: d{i}}}\n")
    assert len(helm_storage._rendered) == helm_storage._RENDERED_CACHE_SIZE
