"""The admin's tenant list counts each tenant's stores from the gateway's watch-fed store cache, so a
store just made shows at once (the operator's status.storeCount lags by up to its 30 s timer)."""

from __future__ import annotations

from typing import Any

import pytest

from storefleet_api.storage.watch_cache import WatchCache

pytestmark = pytest.mark.unit


def test_objects_are_counted_per_namespace_and_removals_count() -> None:
    cache: WatchCache[Any] = WatchCache("stores", lambda **_: {}, lambda body: body)
    assert cache.counts() == {}
    cache.put("tenant-a", "one", {"n": 1}, "1")
    cache.put("tenant-a", "two", {"n": 2}, "2")
    cache.put("tenant-b", "one", {"n": 3}, "3")
    cache.put("tenant-a", "one", {"n": 4}, "4")  # the same store again: still one
    assert cache.counts() == {"tenant-a": 2, "tenant-b": 1}
    cache.remove("tenant-a", "two")
    assert cache.counts() == {"tenant-a": 1, "tenant-b": 1}
