"""Turn raw answers (API objects as dicts, ``helm history`` JSON) into a ``Snapshot``. Pure.

The adapters fetch; this module interprets: is the namespace ours, is the release in sync, stuck or
failed, are the workloads rolled out, what URLs does the Ingress serve. No clock is read here either:
``now`` comes in, so a stale ``pending-install`` is decided the same way in a test as in a cluster.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storefleet_operator import contract, naming
from storefleet_operator.models import ENGINE_CONFIGURED, READY, RELEASED, Store, get_condition
from storefleet_operator.store import status as st
from storefleet_operator.store.gate import SlotView
from storefleet_operator.store.snapshot import (
    Desired,
    Failure,
    NamespaceState,
    ReleaseState,
    ReleaseView,
    Revision,
    RolloutView,
    Snapshot,
    Urls,
    WorkloadProgress,
)
from storefleet_operator.store.values import digest_from_description

PSA_ENFORCE = "pod-security.kubernetes.io/enforce"
PENDING = frozenset({"pending-install", "pending-upgrade", "pending-rollback", "uninstalling"})
RAN = frozenset({"deployed", "superseded"})


def pod_security_level(engine: str, configured: str) -> str:
    """WordPress's Apache image starts as root, so WooCommerce needs ``baseline`` (or what the platform
    configured); every Medusa container runs non-root without capabilities, so ``restricted``."""
    return "restricted" if engine == "medusa" else configured


def namespace_labels(store: Store, security_level: str) -> dict[str, str]:
    labels = naming.store_labels(store.metadata.namespace, store.metadata.name, store.spec.engine, store.metadata.uid)
    for mode in ("enforce", "audit", "warn"):
        labels[f"pod-security.kubernetes.io/{mode}"] = security_level
    return labels


def namespace_state(obj: Mapping[str, Any] | None, store: Store, wanted: Mapping[str, str]) -> NamespaceState:
    if obj is None:
        return NamespaceState.ABSENT
    meta = obj.get("metadata") or {}
    labels = meta.get("labels") or {}
    ours = (
        labels.get(contract.LABEL_MANAGED_BY) == contract.MANAGED_BY
        and labels.get(contract.LABEL_STORE) == store.metadata.name
        and labels.get(contract.LABEL_STORE_NAMESPACE) == store.metadata.namespace
    )
    if not ours:
        return NamespaceState.FOREIGN
    uid = labels.get(contract.LABEL_STORE_UID)
    if uid and store.metadata.uid and uid != store.metadata.uid and not meta.get("deletionTimestamp"):
        return NamespaceState.LEFTOVER
    if meta.get("deletionTimestamp") or (obj.get("status") or {}).get("phase") == "Terminating":
        return NamespaceState.TERMINATING
    if any(labels.get(k) != v for k, v in wanted.items()):
        return NamespaceState.OURS_OUTDATED
    return NamespaceState.OURS


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def revisions(history: Sequence[Mapping[str, Any]]) -> list[Revision]:
    out = [
        Revision(
            number=int(h.get("revision", 0)),
            status=str(h.get("status", "unknown")),
            chart=str(h.get("chart", "")),
            updated=_parse_time(h.get("updated")),
            description=str(h.get("description") or ""),
            workloads=tuple(str(w) for w in h.get("workloads") or ()),
        )
        for h in history
    ]
    return sorted(out, key=lambda r: r.number)


@dataclass(frozen=True)
class Lock:
    """What the reconciler knows about who may be running helm on a release."""

    in_flight: bool
    """A helm command of this operator process is running on the release right now."""
    process_started: datetime
    timeout: timedelta
    interrupted: bool = False
    """The last helm command of this process on the release ended in an error or was cancelled, so a
    pending record is its leftover: unlock it now rather than after ``timeout``."""


def release_view(
    history: Sequence[Mapping[str, Any]], desired: Desired | None, lock: Lock, now: datetime
) -> ReleaseView:
    revs = revisions(history)
    if not revs:
        return ReleaseView(ReleaseState.ABSENT)
    latest = revs[-1]
    ran = [r for r in revs if r.status in RAN and r is not latest]
    last_deployed = latest if latest.status == "deployed" else (ran[-1] if ran else None)
    if latest.status in PENDING:
        # Stale when no helm of ours holds it: either it predates this process (the operator crashed
        # mid-install) or it is older than any helm operation may take (--timeout).
        updated = latest.updated or lock.process_started
        stale = not lock.in_flight and (
            lock.interrupted or updated < lock.process_started or now - updated > lock.timeout
        )
        return ReleaseView(ReleaseState.LOCKED if stale else ReleaseState.BUSY, latest, last_deployed)
    if latest.status == "uninstalled":
        return ReleaseView(ReleaseState.ABSENT, latest, None)
    if latest.status != "deployed":
        return ReleaseView(ReleaseState.FAILED, latest, last_deployed)
    in_sync = desired is not None and digest_from_description(latest.description) == desired.digest
    return ReleaseView(ReleaseState.IN_SYNC if in_sync else ReleaseState.OUT_OF_SYNC, latest, last_deployed)


def workload_progress(obj: Mapping[str, Any]) -> WorkloadProgress:
    """kstatus-style readiness of a Deployment or StatefulSet: the controller saw the latest spec, every
    replica runs the new template and is ready, and no old replica is left."""
    meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    desired = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
    observed = int(status.get("observedGeneration") or 0) >= int(meta.get("generation") or 0)
    updated = int(status.get("updatedReplicas") or 0)
    ready = int(status.get("readyReplicas") or 0)
    total = int(status.get("replicas") or 0)
    if obj.get("kind") == "StatefulSet" and status.get("updateRevision"):
        observed = observed and status.get("currentRevision", status["updateRevision"]) == status["updateRevision"]
    up_to_date = observed and updated >= desired and total <= desired
    selector = tuple(sorted(((spec.get("selector") or {}).get("matchLabels") or {}).items()))
    return WorkloadProgress(
        str(obj.get("kind", "Workload")),
        str(meta.get("name", "?")),
        ready,
        desired,
        up_to_date,
        current_revision=status.get("currentRevision"),
        update_revision=status.get("updateRevision"),
        selector=selector,
    )


def rollout_view(workloads: Sequence[Mapping[str, Any]], rendered: Sequence[str] = ()) -> RolloutView:
    """The workloads that exist, and which of those the release ``rendered`` (``Kind/name``) do not."""
    progress = sorted((workload_progress(w) for w in workloads), key=lambda w: (w.kind, w.name))
    present = {f"{w.kind}/{w.name}" for w in progress}
    return RolloutView(tuple(progress), tuple(sorted(set(rendered) - present)))


def urls_from_ingress(ingress: Mapping[str, Any] | None, store: Store, port: int | None = None) -> Urls:
    """The URLs people use, read from the Ingress the chart made (https when its TLS covers the host);
    ``port`` when the ingress controller does not listen on the scheme's default port."""
    if not ingress:
        return Urls()
    spec = ingress.get("spec") or {}
    hosts = [r.get("host") for r in spec.get("rules") or [] if r.get("host")]
    if not hosts:
        return Urls()
    host = hosts[0]
    tls = any(host in (t.get("hosts") or []) for t in spec.get("tls") or [])
    url = f"{'https' if tls else 'http'}://{host}" + (f":{port}" if port else "")
    if store.spec.engine == "woocommerce":
        return Urls(url=url, admin_url=f"{url}/wp-admin/")
    storefront = url if store.spec.medusa_options().storefront.enabled else None
    return Urls(url=url, admin_url=f"{url}/admin/", storefront_url=storefront)


def last_failure(store: Store) -> Failure | None:
    failed = [s for s in store.status.steps if s.state == "Failed"]
    if not failed:
        return None
    step = failed[-1]
    ready = get_condition(store.status.conditions, READY)
    reason = ready.reason if ready is not None and ready.status != "True" else "RetriesExhausted"
    return Failure(step.name, reason, step.message or "", step.attempts)


def _true_for(store: Store, type_: str, generation: int | None) -> bool:
    found = get_condition(store.status.conditions, type_)
    return found is not None and found.status == "True" and found.observed_generation == generation


@dataclass(frozen=True)
class Raw:
    """Everything the adapters fetched for one pass."""

    namespace: Mapping[str, Any] | None
    secret_present: bool
    access_present: bool
    history: Sequence[Mapping[str, Any]]
    workloads: Sequence[Mapping[str, Any]]
    ingress: Mapping[str, Any] | None


def observe(
    store: Store,
    raw: Raw,
    *,
    desired: Desired | None,
    desired_error: str | None = None,
    lock: Lock,
    slot: SlotView,
    security_level: str,
    max_attempts: int,
    now: datetime,
    ingress_port: int | None = None,
) -> Snapshot:
    namespace = naming.store_namespace(store.metadata.namespace, store.metadata.name)
    generation = store.metadata.generation
    uninstall = st.get_step(store.status, st.STEP_UNINSTALL)
    release = release_view(raw.history, desired, lock, now)
    deployed = release.latest if release.latest is not None and release.latest.status == "deployed" else None
    return Snapshot(
        store=store,
        now=now,
        max_attempts=max_attempts,
        namespace=namespace,
        namespace_state=namespace_state(raw.namespace, store, namespace_labels(store, security_level)),
        credentials_ready=raw.secret_present and raw.access_present,
        release=release,
        rollout=rollout_view(raw.workloads, deployed.workloads if deployed is not None else ()),
        urls=urls_from_ingress(raw.ingress, store, ingress_port),
        slot=slot,
        desired=desired,
        desired_error=desired_error,
        deleting=store.metadata.deletion_timestamp is not None,
        stalled=st.is_stalled_for(store),
        released=_true_for(store, RELEASED, generation),
        engine_configured=_true_for(store, ENGINE_CONFIGURED, generation),
        failure=last_failure(store),
        uninstall_attempts=uninstall.attempts if uninstall is not None and uninstall.state == "Failed" else 0,
        steps=tuple(store.status.steps),
    )
