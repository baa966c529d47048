"""Uninstall (deletion): helm uninstall of the release; failures are counted like any step."""

from __future__ import annotations

import pytest
from tests.unit.operator.storekit import NAMESPACE, RecordingHelm, converged, deps, make_pass, store, with_adapters

from storefleet_operator.adapters.helm import HelmFailed
from storefleet_operator.models import Reason
from storefleet_operator.store.actions.uninstall import Uninstall
from storefleet_operator.store.context import StepFailed

pytestmark = pytest.mark.unit


async def test_uninstalls_the_release_and_enters_deleting() -> None:
    helm = RecordingHelm()
    p = make_pass(converged(store(deleting=True), deleting=True))
    await Uninstall().run(p, with_adapters(deps(), helm=helm))
    assert helm.calls == [("uninstall", NAMESPACE, "shop")]
    assert p.status.phase == "Deleting"
    assert [(s.name, s.state) for s in p.status.steps] == [("helm-uninstall", "Succeeded")]


async def test_a_failed_uninstall_is_a_step_failure() -> None:
    helm = RecordingHelm()
    helm.fail = HelmFailed("helm uninstall shop: timed out waiting for the condition", permanent=False)
    p = make_pass(converged(store(deleting=True), deleting=True))
    with pytest.raises(StepFailed) as failed:
        await Uninstall().run(p, with_adapters(deps(), helm=helm))
    assert (failed.value.step, failed.value.reason) == ("helm-uninstall", Reason.HELM_UNINSTALL_FAILED)
