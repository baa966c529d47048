"""What the operator makes of a Helm release record it cannot read (the readable ones are compared with
real ``helm history`` in tests/cluster/operator/test_release_history.py)."""

from __future__ import annotations

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
