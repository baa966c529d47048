"""Unlock: a release stuck in pending-* is rolled back to the last good revision, or uninstalled."""

from __future__ import annotations

import pytest
from tests.unit.operator.storekit import NAMESPACE, RecordingHelm, converged, deps, make_pass, revision, with_adapters

from storefleet_operator.adapters.helm import HelmFailed
from storefleet_operator.models import Reason
from storefleet_operator.store.actions.unlock import Unlock
from storefleet_operator.store.context import StepFailed
from storefleet_operator.store.snapshot import ReleaseState, ReleaseView

pytestmark = pytest.mark.unit

STUCK_INSTALL = ReleaseView(ReleaseState.LOCKED, revision(1, "pending-install"), None)
STUCK_UPGRADE = ReleaseView(ReleaseState.LOCKED, revision(3, "pending-upgrade"), revision(2, "deployed"))


@pytest.mark.parametrize(
    ("view", "call", "words"),
    [
        pytest.param(STUCK_INSTALL, ("uninstall", NAMESPACE, "shop"), "uninstalled it", id="install-uninstalls"),
        pytest.param(
            STUCK_UPGRADE, ("rollback", NAMESPACE, "shop", 2), "rolled it back to revision 2", id="upgrade-rolls-back"
        ),
    ],
)
async def test_unlock_frees_the_release_and_says_so(view: ReleaseView, call: tuple[object, ...], words: str) -> None:
    helm = RecordingHelm()
    p = make_pass(converged(release=view))
    await Unlock().run(p, with_adapters(deps(), helm=helm))
    assert helm.calls == [call]
    [event] = p.events
    assert event.reason == Reason.RELEASE_UNLOCKED
    assert words in event.message and view.latest is not None and view.latest.status in event.message
    # Unlocking and the install after it are one attempt of the helm-release step.
    [step] = [s for s in p.status.steps if s.name == "helm-release"]
    assert (step.state, step.attempts) == ("Running", 1)


async def test_a_failed_unlock_is_a_step_failure() -> None:
    helm = RecordingHelm()
    helm.fail = HelmFailed("helm uninstall shop: timed out", permanent=False)
    with pytest.raises(StepFailed, match="cannot unlock release shop"):
        await Unlock().run(make_pass(converged(release=STUCK_INSTALL)), with_adapters(deps(), helm=helm))
