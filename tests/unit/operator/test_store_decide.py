"""decide(): the one next action for every state a store can be in (table-driven over snapshots)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from tests.unit.operator.storekit import NAMESPACE, condition, converged, ready_rollout, revision, slot, store

from storefleet_operator.models import Reason
from storefleet_operator.store import decide as d
from storefleet_operator.store.snapshot import (
    Failure,
    NamespaceState,
    ReleaseState,
    ReleaseView,
    RolloutView,
    Urls,
    WorkloadProgress,
)

pytestmark = pytest.mark.unit

NOT_READY = RolloutView((WorkloadProgress("StatefulSet", "shop-mariadb", 0, 1, True),))
FAILED_HELM = Failure("helm-release", Reason.HELM_INSTALL_FAILED, "values rejected", 3)
STALLED = store(status={"conditions": [condition("Stalled", "True", Reason.ROLLOUT_TIMED_OUT)]})


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, d.MarkReady(), id="converged-store-is-marked-ready"),
        pytest.param({"namespace_state": NamespaceState.ABSENT}, d.EnsureNamespace(), id="no-namespace-creates-it"),
        pytest.param(
            {"namespace_state": NamespaceState.OURS_OUTDATED}, d.EnsureNamespace(), id="outdated-labels-relabel"
        ),
        pytest.param({"credentials_ready": False}, d.EnsureCredentials(), id="no-secret-creates-it"),
        pytest.param({"release": ReleaseView(ReleaseState.ABSENT)}, d.Install(), id="no-release-installs"),
        pytest.param(
            {"release": ReleaseView(ReleaseState.FAILED, revision(1, "failed"), None)},
            d.Install(),
            id="failed-first-install-installs-again",
        ),
        pytest.param(
            {"release": ReleaseView(ReleaseState.FAILED, revision(2, "failed"), revision(1, "superseded"))},
            d.Upgrade(),
            id="failed-upgrade-upgrades-again",
        ),
        pytest.param(
            {"release": ReleaseView(ReleaseState.OUT_OF_SYNC, revision(), revision())},
            d.Upgrade(),
            id="changed-values-upgrade",
        ),
        pytest.param(
            {"release": ReleaseView(ReleaseState.LOCKED, revision(1, "pending-install"), None)},
            d.Unlock(),
            id="stale-pending-release-is-unlocked",
        ),
        pytest.param(
            {"namespace_state": NamespaceState.LEFTOVER},
            d.ClearLeftover(),
            id="a-predecessors-namespace-is-cleared-before-ours-is-made",
        ),
        pytest.param(
            {"rollout": RolloutView(ready_rollout().workloads, missing=("StatefulSet/shop-mariadb",))},
            d.Upgrade(),
            id="a-workload-deleted-by-hand-is-made-again-by-an-upgrade",
        ),
        pytest.param({"rollout": NOT_READY}, d.WaitRollout(), id="unready-workloads-are-waited-for"),
        pytest.param({"released": False}, d.WaitRollout(), id="new-revision-rollout-is-confirmed-first"),
        pytest.param({"engine_configured": False}, d.ConfigureEngine(), id="unconfigured-engine-is-set-up"),
        pytest.param({"urls": Urls("http://other.localhost")}, d.PublishUrls(), id="new-ingress-host-is-published"),
        pytest.param(
            {"failure": dataclasses.replace(FAILED_HELM, attempts=2), "release": ReleaseView(ReleaseState.ABSENT)},
            d.Install(),
            id="attempts-left-retry-the-step",
        ),
    ],
)
def test_provisioning_picks_the_first_thing_not_right_yet(changes: dict[str, Any], expected: d.Action) -> None:
    assert d.decide(converged(**changes)) == expected


def test_the_order_is_namespace_credentials_release_rollout_setup_urls() -> None:
    snapshot = converged(
        store(),  # no URLs published yet
        namespace_state=NamespaceState.ABSENT,
        credentials_ready=False,
        release=ReleaseView(ReleaseState.ABSENT),
        rollout=NOT_READY,
        engine_configured=False,
    )
    fixes: list[dict[str, Any]] = [
        {"namespace_state": NamespaceState.OURS},
        {"credentials_ready": True},
        {"release": ReleaseView(ReleaseState.IN_SYNC, revision(), revision())},
        {"rollout": converged().rollout},
        {"engine_configured": True},
        {"store": converged().store},
    ]
    seen = []
    for fixed in fixes:
        seen.append(type(d.decide(snapshot)).__name__)
        snapshot = dataclasses.replace(snapshot, **fixed)
    seen.append(type(d.decide(snapshot)).__name__)
    assert seen == [
        "EnsureNamespace",
        "EnsureCredentials",
        "Install",
        "WaitRollout",
        "ConfigureEngine",
        "PublishUrls",
        "MarkReady",
    ]


def test_exhausted_attempts_stall_with_the_failure_reason_and_step() -> None:
    action = d.decide(converged(failure=FAILED_HELM, release=ReleaseView(ReleaseState.ABSENT)))
    assert action == d.Stall(reason=Reason.HELM_INSTALL_FAILED, step="helm-release", message="values rejected")


def test_a_foreign_namespace_is_never_adopted() -> None:
    action = d.decide(converged(namespace_state=NamespaceState.FOREIGN))
    assert isinstance(action, d.Stall)
    assert action.reason == Reason.NAMESPACE_CONFLICT
    assert NAMESPACE in action.message


def test_a_stalled_store_stays_stalled_until_something_changes() -> None:
    assert d.decide(converged(STALLED, stalled=True, release=ReleaseView(ReleaseState.ABSENT))) == d.Stall()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"namespace_state": NamespaceState.TERMINATING}, d.Wait, id="old-namespace-terminating"),
        pytest.param(
            {"release": ReleaseView(ReleaseState.BUSY, revision(1, "pending-install"), None)},
            d.Wait,
            id="live-helm-operation",
        ),
    ],
)
def test_work_in_progress_elsewhere_is_waited_for_without_counting_a_failure(
    changes: dict[str, Any], expected: type[d.Action]
) -> None:
    action = d.decide(converged(**changes))
    assert isinstance(action, expected)
    assert not action.needs_slot


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"namespace_state": NamespaceState.ABSENT}, id="namespace"),
        pytest.param({"release": ReleaseView(ReleaseState.ABSENT)}, id="install"),
        pytest.param({"rollout": NOT_READY}, id="rollout"),
        pytest.param({"engine_configured": False}, id="setup"),
    ],
)
def test_provisioning_work_waits_in_the_queue_when_no_slot_is_free(changes: dict[str, Any]) -> None:
    assert d.decide(converged(slot=slot(available=False, position=2), **changes)) == d.Queue()


def test_a_store_provisioning_before_an_operator_restart_resumes_without_queueing() -> None:
    was_provisioning = store(status={"phase": "Provisioning"})
    never_started = store(status={"phase": "Requested"})
    busy = slot(available=False, position=2)
    assert d.decide(converged(was_provisioning, slot=busy, rollout=NOT_READY)) == d.WaitRollout()
    assert d.decide(converged(never_started, slot=busy, rollout=NOT_READY)) == d.Queue()


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({}, id="ready-store"),
        pytest.param({"namespace_state": NamespaceState.FOREIGN}, id="conflict"),
        pytest.param({"failure": FAILED_HELM, "release": ReleaseView(ReleaseState.ABSENT)}, id="exhausted"),
    ],
)
def test_finishing_actions_never_queue(changes: dict[str, Any]) -> None:
    action = d.decide(converged(slot=slot(available=False, position=4), **changes))
    assert not isinstance(action, d.Queue)


DELETING = store(deleting=True)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, d.Uninstall(), id="release-present-uninstalls-first"),
        pytest.param(
            {"release": ReleaseView(ReleaseState.LOCKED, revision(1, "pending-install"), None)},
            d.Uninstall(),
            id="stuck-release-is-uninstalled-too",
        ),
        pytest.param({"release": ReleaseView(ReleaseState.ABSENT)}, d.DeleteNamespace(), id="then-namespace"),
        pytest.param(
            {"release": ReleaseView(ReleaseState.ABSENT), "namespace_state": NamespaceState.TERMINATING},
            d.DeleteNamespace(),
            id="waits-for-namespace-to-go",
        ),
        pytest.param(
            {"release": ReleaseView(ReleaseState.ABSENT), "namespace_state": NamespaceState.ABSENT},
            d.Finish(),
            id="nothing-left-finishes",
        ),
        pytest.param({"uninstall_attempts": 3}, d.DeleteNamespace(), id="failed-uninstall-goes-with-namespace"),
        pytest.param({"namespace_state": NamespaceState.FOREIGN}, d.Finish(), id="foreign-namespace-untouched"),
        pytest.param(
            {"namespace_state": NamespaceState.LEFTOVER}, d.Finish(), id="predecessors-namespace-left-to-the-sweep"
        ),
        pytest.param(
            {"stalled": True, "failure": FAILED_HELM},
            d.Uninstall(),
            id="failed-store-deletes-too",
        ),
        pytest.param(
            {"slot": slot(available=False, position=3), "release": ReleaseView(ReleaseState.ABSENT)},
            d.DeleteNamespace(),
            id="queued-store-deletes-without-waiting",
        ),
    ],
)
def test_deletion_uninstalls_then_deletes_the_namespace_then_finishes(
    changes: dict[str, Any], expected: d.Action
) -> None:
    assert d.decide(converged(DELETING, deleting=True, **changes)) == expected
