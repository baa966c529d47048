"""EnsureNamespace: the store's own namespace, labelled for the store, with its Pod Security level.

A namespace of that name that does not carry this store's labels is never adopted (``decide`` stalls
with NamespaceConflict); one of ours with outdated labels (e.g. a new Pod Security level) is relabelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from storefleet_operator.adapters.kube import KubeError
from storefleet_operator.models import Reason
from storefleet_operator.store import observe
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.actions.progress import in_progress
from storefleet_operator.store.context import Deps, Next, Pass, StepFailed, decide_again
from storefleet_operator.store.observe import Raw as Observed
from storefleet_operator.store.snapshot import NamespaceState


def manifest(namespace: str, labels: Mapping[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": dict(labels)}}


def as_made(observed: Observed, namespace: str, labels: Mapping[str, str]) -> Observed:
    """What the pass observed, with the namespace as this action left it (created, or relabelled)."""
    before = observed.namespace
    if before is None:
        return replace(observed, namespace=manifest(namespace, labels))
    meta = dict(before.get("metadata") or {})
    meta["labels"] = {**(meta.get("labels") or {}), **labels}
    return replace(observed, namespace={**before, "metadata": meta})


@dataclass(frozen=True)
class EnsureNamespace(Action):
    needs_slot: bool = True

    async def run(self, p: Pass, deps: Deps) -> Next:
        s, now = p.snapshot, deps.clock()
        level = observe.pod_security_level(p.store.spec.engine, deps.settings.pod_security_level)
        labels = observe.namespace_labels(p.store, level)
        p.status = st.start_step(p.status, st.STEP_NAMESPACE, f"Creating namespace {s.namespace}", now)
        await p.confirm_wanted()
        try:
            if s.namespace_state is NamespaceState.ABSENT:
                await deps.kube.create_namespace(manifest(s.namespace, labels))
                done = f"Created namespace {s.namespace} (Pod Security {level})"
            else:
                await deps.kube.label_namespace(s.namespace, labels)
                done = f"Relabelled namespace {s.namespace} (Pod Security {level})"
        except KubeError as exc:
            raise StepFailed(
                st.STEP_NAMESPACE, Reason.NAMESPACE_FAILED, f"cannot prepare namespace {s.namespace}: {exc}"
            ) from None
        now = deps.clock()
        p.status = st.succeed_step(p.status, st.STEP_NAMESPACE, done, now)
        p.status = in_progress(
            p.status.model_copy(update={"namespace": s.namespace}),
            Reason.PROVISIONING,
            done,
            generation=p.generation,
            now=now,
        )
        p.emit(st.normal(Reason.PROVISIONING, done))
        return decide_again(lambda observed: as_made(observed, s.namespace, labels))
