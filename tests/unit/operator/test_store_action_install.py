"""Install and Upgrade: one `helm upgrade --install`, values as data, the digest in the description."""

from __future__ import annotations

import pytest
from tests.unit.operator.storekit import (
    DESIRED,
    NAMESPACE,
    RecordingHelm,
    conditions_of,
    converged,
    deps,
    make_pass,
    revision,
    store,
    with_adapters,
)

from storefleet_operator.adapters.helm import HelmFailed
from storefleet_operator.models import Reason
from storefleet_operator.store.actions.install import Install
from storefleet_operator.store.actions.upgrade import Upgrade
from storefleet_operator.store.context import StepFailed
from storefleet_operator.store.snapshot import ReleaseState, ReleaseView
from storefleet_operator.store.values import release_description

pytestmark = pytest.mark.unit


async def test_install_sends_the_values_as_data_and_records_the_revision() -> None:
    helm = RecordingHelm()
    p = make_pass(converged(release=ReleaseView(ReleaseState.ABSENT)))
    await Install().run(p, with_adapters(deps(), helm=helm))
    [(op, namespace, release, values, description)] = helm.calls
    assert (op, namespace, release, values) == ("upgrade_install", NAMESPACE, "shop", DESIRED.values)
    assert description == release_description(DESIRED.digest)
    assert p.status.release is not None
    assert (p.status.release.name, p.status.release.revision, p.status.release.chart) == (
        "shop",
        1,
        "ecommerce-store-0.1.0",
    )
    assert conditions_of(p.status)["Released"].status == "Unknown"  # until its workloads are ready
    assert [e.reason for e in p.events] == [Reason.INSTALLING]


async def test_an_upgrade_says_which_generation_it_applies() -> None:
    helm = RecordingHelm()
    helm.revision = 2
    changed = store(generation=2, status={"observedGeneration": 1})
    p = make_pass(converged(changed, release=ReleaseView(ReleaseState.OUT_OF_SYNC, revision(), revision())))
    await Upgrade().run(p, with_adapters(deps(), helm=helm))
    assert "to apply generation 2 of the spec" in p.events[0].message
    assert p.status.release is not None and p.status.release.revision == 2
    assert p.events[0].reason == Reason.UPGRADING


@pytest.mark.parametrize(
    ("permanent", "action", "reason"),
    [
        pytest.param(True, Install(), Reason.HELM_INSTALL_FAILED, id="schema-rejection-is-permanent"),
        pytest.param(False, Upgrade(), Reason.HELM_UPGRADE_FAILED, id="api-hiccup-is-retried"),
    ],
)
async def test_a_helm_failure_is_a_step_failure_with_helms_words(
    permanent: bool, action: Install | Upgrade, reason: str
) -> None:
    helm = RecordingHelm()
    helm.fail = HelmFailed("helm upgrade --install shop: values don't meet the schema", permanent=permanent)
    p = make_pass(converged(release=ReleaseView(ReleaseState.ABSENT)))
    with pytest.raises(StepFailed) as failed:
        await action.run(p, with_adapters(deps(), helm=helm))
    assert (failed.value.step, failed.value.reason, failed.value.permanent) == ("helm-release", reason, permanent)
    assert "values don't meet the schema" in failed.value.message


async def test_values_that_cannot_be_built_fail_permanently_without_calling_helm() -> None:
    helm = RecordingHelm()
    p = make_pass(
        converged(
            release=ReleaseView(ReleaseState.ABSENT), desired=None, desired_error="cannot read the values file /x.yaml"
        )
    )
    with pytest.raises(StepFailed) as failed:
        await Install().run(p, with_adapters(deps(), helm=helm))
    assert failed.value.permanent and "/x.yaml" in failed.value.message
    assert helm.calls == []


async def test_a_new_revision_restarts_the_rollout_wait() -> None:
    status = {"steps": [{"name": "wait-for-rollout", "state": "Succeeded", "attempts": 1}]}
    p = make_pass(converged(store(status=status), release=ReleaseView(ReleaseState.OUT_OF_SYNC)))
    await Upgrade().run(p, with_adapters(deps()))
    [rollout] = [s for s in p.status.steps if s.name == "wait-for-rollout"]
    assert (rollout.state, rollout.started_at) == ("Pending", None)
