"""Create/delete races under load: nothing is left behind, and a tenant never holds more store
namespaces than its quota — through the API as the tenant, as an admin acting for it, and kubectl.

Before the fix (issue 8) kopf started a Store's worker before adding the finalizer, so a Store deleted
in that window vanished while its worker went on to make the namespace, Secret and Helm release: those
orphans outlived their Store and no longer counted against the tenant's quota.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from tests.chaos.chaoskit import SWEEP_INTERVAL_SECONDS, Api, ChaosPlatform, random_pause, say
from tests.support import wait_for

from storefleet_operator import naming

pytestmark = pytest.mark.chaos

CREATE_PATIENCE_SECONDS = 90.0
"""A create refused for quota (409) or an uncounted quota (503) is tried again for this long."""


@dataclass
class Tally:
    created: int = 0
    refused: dict[int, int] = field(default_factory=dict)
    deletes: int = 0
    retries_on_deleting: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, bucket: dict[int, int], status: int) -> None:
        with self.lock:
            bucket[status] = bucket.get(status, 0) + 1


@dataclass
class Path:
    """One way of making and removing a Store: the tenant's API, an admin's API, or kubectl."""

    name: str
    create: Callable[[str], int]
    delete: Callable[[str], None]


def paths(platform: ChaosPlatform, tenant_api: Api, tenant: str, tally: Tally) -> list[Path]:
    namespace = naming.tenant_namespace(tenant)
    admin = platform.admin

    def api_delete(api: Api, as_tenant: str | None) -> Callable[[str], None]:
        def delete(name: str) -> None:
            api.delete(name, tenant=as_tenant)
            api.delete(name, tenant=as_tenant)  # asked twice, as people do
            tally.count(tally.retries_on_deleting, api.retry(name, tenant=as_tenant).status_code)
            with tally.lock:
                tally.deletes += 1

        return delete

    def kubectl_delete(name: str) -> None:
        platform.kubectl_store("delete", namespace, name)
        with tally.lock:
            tally.deletes += 1

    return [
        Path("api-as-tenant", lambda n: tenant_api.create(n).status_code, api_delete(tenant_api, None)),
        Path("api-as-admin", lambda n: admin.create(n, tenant=tenant).status_code, api_delete(admin, tenant)),
        Path("kubectl", lambda n: 202 if platform.kubectl_store("create", namespace, n) == 0 else 409, kubectl_delete),
    ]


def race(path: Path, name: str, tally: Tally, max_delay: float) -> None:
    """Create (patiently, past quota refusals), wait 0..max_delay s, delete."""
    deadline = time.monotonic() + CREATE_PATIENCE_SECONDS
    while True:
        status = path.create(name)
        if status in (201, 202):
            with tally.lock:
                tally.created += 1
            break
        tally.count(tally.refused, status)
        if time.monotonic() > deadline:
            return
        random_pause(0.2, 1.0)
    random_pause(0.0, max_delay)
    path.delete(name)


def settle_and_count_orphans(platform: ChaosPlatform, tenants: list[str], what: str) -> list[str]:
    """Wait until every Store is gone and a few sweeps have run; return the orphans left."""
    namespaces = {naming.tenant_namespace(t) for t in tenants}

    def left() -> dict[str, dict[str, Any]]:
        return {key: s for key, s in platform.stores().items() if key.split("/")[0] in namespaces}

    try:
        wait_for(lambda: not left(), f"every Store of {what} to be deleted", timeout=240, interval=1.0)
    except AssertionError as timed_out:
        still = {key: ((s.get("status") or {}).get("phase"), (s.get("status") or {}).get("message"),
                       s["metadata"].get("deletionTimestamp")) for key, s in left().items()}
        raise AssertionError(f"{timed_out}; still there (phase, message, deletion asked): {still}") from None
    time.sleep(3 * SWEEP_INTERVAL_SECONDS)
    deadline = time.monotonic() + 60  # a sweep deletes; the namespace may take a while to go
    while platform.orphans() and time.monotonic() < deadline:
        time.sleep(1.0)
    return platform.orphans()


def test_a_hundred_create_delete_races_leave_no_orphans(chaos: ChaosPlatform) -> None:
    tally = Tally()
    # Quota is not what this test is about (the next one is): room for every worker's store and the
    # ones still being deleted, which count until their namespace is gone.
    tenant_api, tenant = chaos.new_tenant(store_limit=25)
    routes = paths(chaos, tenant_api, tenant, tally)
    jobs = [(routes[i % 3], f"race-{i:03d}-{uuid.uuid4().hex[:4]}") for i in range(100)]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=10) as pool:
        for future in [pool.submit(race, path, name, tally, 3.0) for path, name in jobs]:
            future.result()
    say(
        f"100 create/delete races (api as tenant, api as admin, kubectl; delete after 0-3 s) in "
        f"{time.monotonic() - started:.0f} s: {tally.created} created, refusals {tally.refused}, "
        f"{tally.deletes} deleted, retry on a deleting store answered {tally.retries_on_deleting}"
    )
    before_sweep = chaos.orphans()
    orphans = settle_and_count_orphans(chaos, [tenant], "the races")
    sweeps = chaos.operator.metrics()
    collected = [line for line in sweeps.splitlines() if line.startswith("storefleet_orphans_collected_total")]
    say(f"store namespaces without a Store right after the loop: {len(before_sweep)}; after the sweep: "
        f"{len(orphans)}; operator says {collected}")
    assert orphans == []
    assert tally.created == 100, f"not every race ran: {tally}"
    assert set(tally.retries_on_deleting) <= {404, 409}, "a retry on a deleting store must not revive it"


def test_a_tenant_never_holds_more_store_namespaces_than_its_quota(chaos: ChaosPlatform) -> None:
    limit = 3
    tally = Tally()
    tenant_api, tenant = chaos.new_tenant(store_limit=limit)
    namespace = naming.tenant_namespace(tenant)
    routes = paths(chaos, tenant_api, tenant, tally)
    names = [f"quota-{i}" for i in range(6)]  # a small pool: names are reused right after deletion
    samples: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            samples.append(len(chaos.store_namespaces(namespace)))
            time.sleep(0.25)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    deadline = time.monotonic() + 60

    def churn(worker: int) -> None:
        turn = worker
        while time.monotonic() < deadline:
            # 0-6 s before the delete: some stores are cancelled at once, others get their namespace.
            race(routes[turn % 3], names[(worker * 7 + turn) % len(names)], tally, 6.0)
            turn += 1

    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            for future in [pool.submit(churn, w) for w in range(6)]:
                future.result()
        settle_and_count_orphans(chaos, [tenant], "the quota loop")
    finally:
        stop.set()
        watcher.join(timeout=10)
    say(
        f"quota {limit}: {tally.created} stores created and {tally.deletes} deleted in 60 s by 6 workers "
        f"(refusals {tally.refused}); live store namespaces sampled {len(samples)} times, at most "
        f"{max(samples)}, at the end {len(chaos.store_namespaces(namespace))}"
    )
    assert max(samples) <= limit
    assert chaos.store_namespaces(namespace) == []
    assert tally.created > limit, "the loop never filled the quota, so it proved nothing"
    assert max(samples) >= 2, "stores never got namespaces during the loop, so it proved nothing"

