"""observe: namespaces, helm history, workloads and the Ingress as the reconciler sees them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tests.unit.operator.storekit import DESIRED, T0, condition, store

from storefleet_operator import contract
from storefleet_operator.store import observe
from storefleet_operator.store.snapshot import NamespaceState, ReleaseState
from storefleet_operator.store.values import release_description

pytestmark = pytest.mark.unit

SHOP = store()
WANTED = observe.namespace_labels(SHOP, "baseline")
STARTED = T0 - timedelta(minutes=10)
LOCK = observe.Lock(in_flight=False, process_started=STARTED, timeout=timedelta(seconds=300))


def ns(labels: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"metadata": {"name": "store-shop-0a1b2c3d", "labels": labels, **extra}, "status": {"phase": "Active"}}


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param(None, NamespaceState.ABSENT, id="absent"),
        pytest.param(ns(WANTED), NamespaceState.OURS, id="ours"),
        pytest.param(ns({}), NamespaceState.FOREIGN, id="unlabelled-is-someone-elses"),
        pytest.param(
            ns({**WANTED, contract.LABEL_STORE_NAMESPACE: "tenant-bob"}),
            NamespaceState.FOREIGN,
            id="same-store-name-other-tenant",
        ),
        pytest.param(
            ns({**WANTED, "pod-security.kubernetes.io/enforce": "privileged"}),
            NamespaceState.OURS_OUTDATED,
            id="wrong-pod-security-level",
        ),
        pytest.param(ns(WANTED, deletionTimestamp=T0.isoformat()), NamespaceState.TERMINATING, id="terminating"),
    ],
)
def test_namespace_state(obj: dict[str, Any] | None, expected: NamespaceState) -> None:
    assert observe.namespace_state(obj, SHOP, WANTED) is expected


@pytest.mark.parametrize(
    ("engine", "configured", "level"),
    [
        pytest.param("woocommerce", "baseline", "baseline", id="wordpress-needs-baseline"),
        pytest.param("medusa", "baseline", "restricted", id="medusa-runs-restricted"),
    ],
)
def test_pod_security_level_per_engine(engine: str, configured: str, level: str) -> None:
    assert observe.pod_security_level(engine, configured) == level
    labels = observe.namespace_labels(store(engine=engine), level)
    assert labels["pod-security.kubernetes.io/enforce"] == level
    assert labels[contract.LABEL_TENANT] == "alice"
    assert labels[contract.LABEL_MANAGED_BY] == "storefleet"


def rev(number: int, status: str, *, updated: Any = T0, description: str = "") -> dict[str, Any]:
    return {
        "revision": number,
        "status": status,
        "chart": "ecommerce-store-0.1.0",
        "updated": updated.isoformat() if hasattr(updated, "isoformat") else updated,
        "description": description,
    }


IN_SYNC = release_description(DESIRED.digest)
OTHER = release_description("f" * 64)


@pytest.mark.parametrize(
    ("history", "lock", "state", "rollback_to"),
    [
        pytest.param([], LOCK, ReleaseState.ABSENT, None, id="no-history"),
        pytest.param([rev(1, "deployed", description=IN_SYNC)], LOCK, ReleaseState.IN_SYNC, 1, id="in-sync"),
        pytest.param([rev(1, "deployed", description=OTHER)], LOCK, ReleaseState.OUT_OF_SYNC, 1, id="other-values"),
        pytest.param(
            [rev(1, "deployed", description="Install complete")],
            LOCK,
            ReleaseState.OUT_OF_SYNC,
            1,
            id="installed-by-someone-else",
        ),
        pytest.param([rev(1, "failed")], LOCK, ReleaseState.FAILED, None, id="failed-first-install"),
        pytest.param([rev(1, "superseded"), rev(2, "failed")], LOCK, ReleaseState.FAILED, 1, id="failed-upgrade"),
        pytest.param(
            [rev(1, "pending-install", updated=STARTED - timedelta(seconds=5))],
            LOCK,
            ReleaseState.LOCKED,
            None,
            id="pending-from-before-a-restart-is-stale",
        ),
        pytest.param(
            [rev(1, "pending-install", updated=T0 - timedelta(seconds=301))],
            observe.Lock(False, T0 - timedelta(hours=1), timedelta(seconds=300)),
            ReleaseState.LOCKED,
            None,
            id="pending-longer-than-helm-timeout-is-stale",
        ),
        pytest.param(
            [rev(1, "pending-install", updated=T0 - timedelta(seconds=5))],
            observe.Lock(False, T0 - timedelta(hours=1), timedelta(seconds=300)),
            ReleaseState.BUSY,
            None,
            id="recent-pending-of-another-worker-is-busy",
        ),
        pytest.param(
            [rev(1, "pending-install", updated=T0 - timedelta(seconds=5))],
            observe.Lock(False, T0 - timedelta(hours=1), timedelta(seconds=300), interrupted=True),
            ReleaseState.LOCKED,
            None,
            id="recent-pending-left-by-our-own-failed-helm-is-stale-at-once",
        ),
        pytest.param(
            [rev(1, "deployed", description=IN_SYNC), rev(2, "pending-upgrade", updated=T0)],
            observe.Lock(True, STARTED, timedelta(seconds=300)),
            ReleaseState.BUSY,
            1,
            id="our-own-running-helm-is-busy",
        ),
        pytest.param(
            [rev(1, "superseded"), rev(2, "deployed"), rev(3, "pending-upgrade", updated=STARTED)],
            LOCK,
            ReleaseState.LOCKED,
            2,
            id="stuck-upgrade-rolls-back-to-last-deployed",
        ),
        pytest.param([rev(1, "uninstalled")], LOCK, ReleaseState.ABSENT, None, id="kept-history-uninstalled"),
    ],
)
def test_release_state_from_helm_history(
    history: list[dict[str, Any]], lock: observe.Lock, state: ReleaseState, rollback_to: int | None
) -> None:
    view = observe.release_view(history, DESIRED, lock, T0)
    assert view.state is state
    assert (view.last_deployed.number if view.last_deployed else None) == rollback_to


def workload(
    kind: str,
    *,
    replicas: int = 1,
    ready: int = 1,
    updated: int = 1,
    total: int = 1,
    generation: int = 2,
    observed: int = 2,
    **status: Any,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "metadata": {"name": "shop-x", "generation": generation},
        "spec": {"replicas": replicas},
        "status": {
            "readyReplicas": ready,
            "updatedReplicas": updated,
            "replicas": total,
            "observedGeneration": observed,
            **status,
        },
    }


@pytest.mark.parametrize(
    ("obj", "done"),
    [
        pytest.param(workload("Deployment"), True, id="ready"),
        pytest.param(workload("Deployment", ready=0), False, id="pod-not-ready"),
        pytest.param(workload("Deployment", observed=1), False, id="new-spec-not-seen-by-controller"),
        pytest.param(workload("Deployment", updated=0), False, id="old-template-still-running"),
        pytest.param(workload("Deployment", total=2, ready=2), False, id="old-pod-not-gone"),
        pytest.param(
            workload("StatefulSet", currentRevision="a", updateRevision="b"), False, id="statefulset-mid-update"
        ),
        pytest.param(workload("StatefulSet", currentRevision="b", updateRevision="b"), True, id="statefulset-done"),
    ],
)
def test_workload_readiness_is_kstatus_like(obj: dict[str, Any], done: bool) -> None:
    assert observe.workload_progress(obj).done is done


def test_rollout_summary_names_every_workload_and_is_not_ready_when_empty() -> None:
    view = observe.rollout_view([workload("StatefulSet", ready=0), workload("Deployment")])
    assert view.summary() == "deployment/shop-x 1/1 ready, statefulset/shop-x 0/1 ready"
    assert [str(w) for w in view.waiting_for] == ["statefulset/shop-x 0/1 ready"]
    assert not observe.rollout_view([]).ready


def ingress(host: str, tls: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {"rules": [{"host": host}]}
    if tls:
        spec["tls"] = [{"hosts": [host], "secretName": "x"}]
    return {"spec": spec}


@pytest.mark.parametrize(
    ("s", "obj", "expected"),
    [
        pytest.param(
            store(),
            ingress("shop-alice.localhost"),
            ("http://shop-alice.localhost", "http://shop-alice.localhost/wp-admin/", None),
            id="woocommerce",
        ),
        pytest.param(
            store(),
            ingress("shop.example.com", tls=True),
            ("https://shop.example.com", "https://shop.example.com/wp-admin/", None),
            id="tls-means-https",
        ),
        pytest.param(
            store(engine="medusa"),
            ingress("m-alice.localhost"),
            ("http://m-alice.localhost", "http://m-alice.localhost/admin/", "http://m-alice.localhost"),
            id="medusa-with-storefront",
        ),
        pytest.param(
            store(engine="medusa", medusa={"storefront": {"enabled": False}}),
            ingress("m-alice.localhost"),
            ("http://m-alice.localhost", "http://m-alice.localhost/admin/", None),
            id="medusa-without-storefront",
        ),
        pytest.param(store(), None, (None, None, None), id="no-ingress"),
    ],
)
def test_urls_are_read_from_the_ingress(s: Any, obj: dict[str, Any] | None, expected: tuple[Any, ...]) -> None:
    urls = observe.urls_from_ingress(obj, s)
    assert (urls.url, urls.admin_url, urls.storefront_url) == expected


def test_urls_carry_the_ingress_port_when_it_is_not_the_default() -> None:
    """The local real node's Traefik listens on a free loopback port: a URL without it opens nothing."""
    urls = observe.urls_from_ingress(ingress("m-alice.localhost"), store(engine="medusa"), 44081)
    assert (urls.url, urls.admin_url, urls.storefront_url) == (
        "http://m-alice.localhost:44081",
        "http://m-alice.localhost:44081/admin/",
        "http://m-alice.localhost:44081",
    )


def test_the_last_failed_step_carries_the_reason_of_the_ready_condition() -> None:
    failed = store(
        status={
            "conditions": [condition("Ready", "Unknown", "RolloutTimedOut")],
            "steps": [
                {"name": "helm-release", "state": "Succeeded", "attempts": 1},
                {"name": "wait-for-rollout", "state": "Failed", "attempts": 2, "message": "mariadb 0/1"},
            ],
        }
    )
    failure = observe.last_failure(failed)
    assert failure is not None
    assert (failure.step, failure.reason, failure.message, failure.attempts) == (
        "wait-for-rollout",
        "RolloutTimedOut",
        "mariadb 0/1",
        2,
    )
    assert observe.last_failure(store()) is None


UID_SHOP = store(uid="uid-new")
UID_WANTED = observe.namespace_labels(UID_SHOP, "baseline")


@pytest.mark.parametrize(
    ("labels", "extra", "expected"),
    [
        pytest.param(UID_WANTED, {}, NamespaceState.OURS, id="this-stores-uid"),
        pytest.param(
            {k: v for k, v in UID_WANTED.items() if k != contract.LABEL_STORE_UID},
            {},
            NamespaceState.OURS_OUTDATED,
            id="made-before-uids-were-labelled-is-adopted-and-relabelled",
        ),
        pytest.param(
            {**UID_WANTED, contract.LABEL_STORE_UID: "uid-old"}, {}, NamespaceState.LEFTOVER, id="earlier-store-left-it"
        ),
        pytest.param(
            {**UID_WANTED, contract.LABEL_STORE_UID: "uid-old"},
            {"deletionTimestamp": T0.isoformat()},
            NamespaceState.TERMINATING,
            id="earlier-stores-namespace-already-going",
        ),
    ],
)
def test_the_store_uid_label_tells_a_predecessors_namespace_apart(
    labels: dict[str, str], extra: dict[str, Any], expected: NamespaceState
) -> None:
    assert UID_WANTED[contract.LABEL_STORE_UID] == "uid-new"
    assert observe.namespace_state(ns(labels, **extra), UID_SHOP, UID_WANTED) is expected
