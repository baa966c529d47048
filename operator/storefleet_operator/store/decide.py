"""Pick exactly one next action from a snapshot (pure; the heart of the reconciler).

Flux helm-controller's shape: observe the state, then choose one action, run it, observe again (or, when
the action says exactly what it changed, decide again on that: ``reconciler.py``). The
order below is the provisioning order, so a store resumes wherever it was (after a crash, a retry, a
spec change) by simply asking "what is the first thing that is not right yet?".

Deletion has its own, shorter order: uninstall the release, delete the namespace, wait until it is gone.
"""

from __future__ import annotations

from storefleet_operator.models import Reason
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.actions.clear_leftover import ClearLeftover
from storefleet_operator.store.actions.configure_engine import ConfigureEngine
from storefleet_operator.store.actions.delete_namespace import DeleteNamespace
from storefleet_operator.store.actions.ensure_credentials import EnsureCredentials
from storefleet_operator.store.actions.ensure_namespace import EnsureNamespace
from storefleet_operator.store.actions.finish import Finish
from storefleet_operator.store.actions.install import Install
from storefleet_operator.store.actions.mark_ready import MarkReady
from storefleet_operator.store.actions.publish_urls import PublishUrls
from storefleet_operator.store.actions.queue import Queue
from storefleet_operator.store.actions.stall import Stall
from storefleet_operator.store.actions.suspend import Suspend
from storefleet_operator.store.actions.uninstall import Uninstall
from storefleet_operator.store.actions.unlock import Unlock
from storefleet_operator.store.actions.upgrade import Upgrade
from storefleet_operator.store.actions.wait import Wait
from storefleet_operator.store.actions.wait_rollout import WaitRollout
from storefleet_operator.store.snapshot import NamespaceState, ReleaseState, Snapshot


def decide(s: Snapshot) -> Action:
    if s.deleting:
        return _decide_deletion(s)
    if s.store.spec.suspend:
        return Suspend()  # after deletion: a suspended store can still be deleted (as in Flux)
    if s.stalled:
        return Stall()  # already stalled for this generation: stay, until a spec change or retry request
    if s.namespace_state is NamespaceState.FOREIGN:
        return Stall(
            reason=Reason.NAMESPACE_CONFLICT,
            step="create-namespace",
            message=f"namespace {s.namespace} already exists and does not belong to this store",
        )
    if s.exhausted and s.failure is not None:
        return Stall(reason=s.failure.reason, step=s.failure.step, message=s.failure.message)
    action = _next_provisioning_action(s)
    if action.needs_slot and not s.slot.available and not s.resuming:
        return Queue()
    return action


def _next_provisioning_action(s: Snapshot) -> Action:
    if s.namespace_state is NamespaceState.LEFTOVER:
        return ClearLeftover()
    if s.namespace_state is NamespaceState.TERMINATING:
        return Wait(message=f"namespace {s.namespace} is still being deleted (a store of the same name was removed)")
    if s.namespace_state in (NamespaceState.ABSENT, NamespaceState.OURS_OUTDATED):
        return EnsureNamespace()
    if not s.credentials_ready:
        return EnsureCredentials()
    state = s.release.state
    if state is ReleaseState.BUSY:
        return Wait(message="a helm operation on the release is still running")
    if state is ReleaseState.LOCKED:
        return Unlock()
    if state in (ReleaseState.ABSENT,) or (state is ReleaseState.FAILED and s.release.last_deployed is None):
        return Install()
    if state in (ReleaseState.OUT_OF_SYNC, ReleaseState.FAILED) or s.rollout.missing:
        return Upgrade()  # a workload deleted by hand: helm upgrade makes what the release lacks again
    if not (s.rollout.ready and s.released):
        return WaitRollout()
    if not s.engine_configured:
        return ConfigureEngine()
    status = s.store.status
    if (status.url, status.admin_url, status.storefront_url) != (
        s.urls.url,
        s.urls.admin_url,
        s.urls.storefront_url,
    ):
        return PublishUrls()
    return MarkReady()


def _decide_deletion(s: Snapshot) -> Action:
    if s.namespace_state in (NamespaceState.FOREIGN, NamespaceState.LEFTOVER):
        return Finish()  # never touch a namespace that is not this Store's; nothing of ours can be in it
    present = s.release.state is not ReleaseState.ABSENT
    # A release helm cannot uninstall (after max attempts) goes with its namespace: the release's own
    # records are Secrets in that namespace.
    if present and s.uninstall_attempts < s.max_attempts and s.namespace_state is not NamespaceState.TERMINATING:
        return Uninstall()
    if s.namespace_state in (NamespaceState.OURS, NamespaceState.OURS_OUTDATED, NamespaceState.TERMINATING):
        return DeleteNamespace()
    return Finish()
