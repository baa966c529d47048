"""The API's view of a Store is built once per version, and never stands in for a different one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from storefleet_api.models.stores import store_out
from storefleet_operator.models import Store

pytestmark = pytest.mark.unit


def body(version: str, display_name: str = "Shop") -> dict[str, Any]:
    return {
        "apiVersion": "storefleet.io/v1alpha1",
        "kind": "Store",
        "metadata": {"name": "shop", "namespace": "tenant-a", "uid": "u-1", "resourceVersion": version},
        "spec": {"engine": "medusa", "displayName": display_name},
    }


def test_one_version_is_viewed_once_and_a_new_version_anew() -> None:
    first = store_out(Store.from_body(body("10")))
    assert store_out(Store.from_body(body("10"))) is first
    assert store_out(Store.from_body(body("11", "Renamed"))).display_name == "Renamed"


def test_the_deleting_copy_of_a_version_is_not_shown_as_the_live_one() -> None:
    store = Store.from_body(body("20"))
    live = store_out(store)
    deleting = store.model_copy(
        update={"metadata": store.metadata.model_copy(update={"deletion_timestamp": datetime.now(UTC)})}
    )
    assert (live.deleting, store_out(deleting).deleting) == (False, True)
    assert store_out(deleting).phase == "Deleting"
