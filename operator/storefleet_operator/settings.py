"""Operator settings, read once at startup from ``STOREFLEET_OPERATOR_*`` environment variables.

Grouped by concern; each default says why it is what it is. Both Tenant and Store reconciliation
read from here; nothing else in the operator reads the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

_REPO_CHART = Path(__file__).resolve().parents[2] / "helm" / "ecommerce-store"


class OperatorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STOREFLEET_OPERATOR_", extra="ignore", frozen=True)

    # ---- Kubernetes access ----
    kubeconfig: Path | None = None
    """Kubeconfig for kopf, helm and exec. None means in-cluster config (the operator's own
    ServiceAccount). It is passed to helm as a file path, never as a token on argv."""

    platform_namespace: str = "storefleet-system"
    """Where the platform itself (operator, gateway) runs."""

    gateway_service_account: str = "storefleet-gateway"
    """The gateway's ServiceAccount (in platform_namespace); each tenant namespace lets exactly this
    account impersonate the tenant's `storefleet-tenant` ServiceAccount and nothing else."""

    # ---- Helm ----
    helm_executable: str = "helm"
    chart_path: Path = _REPO_CHART
    """The ecommerce-store chart directory (baked into the operator image at the same relative path)."""

    values_files: list[Path] = Field(default_factory=list)
    """Extra values files layered under the per-store values, e.g. the chart's values-local.yaml on the
    local control plane or values-vps.yaml on a single-node VPS."""

    extra_values: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Chart values for chosen stores, keyed by a glob on `<namespace>/<store>` (`*/*` = every store),
    layered after values_files and before the per-store values. For operations and tests, e.g.
    `{"tenant-a/shop": {"podAnnotations": {...}}}`; scoped so one store's override never upgrades
    the rest of the fleet."""

    helm_timeout_seconds: int = 300
    """Bound for one helm call (install, upgrade, rollback, uninstall). Installs and upgrades run without
    --wait (WaitRollout waits, bounded by rollout_timeout_seconds), so this bounds helm's own API work."""

    history_max: int = 5
    """Helm revisions kept per store (Flux's default), so release Secrets do not pile up."""

    # ---- Stores ----
    store_domain_suffix: str = ".localhost"
    """Store hosts are `<store>-<tenant><suffix>`; `.localhost` resolves to loopback on most systems."""

    url_scheme: str = "http"
    """`https` when the chart's TLS values are on (values-vps.yaml)."""

    ingress_port: int | None = Field(default=None, ge=1, le=65535)
    """The port the ingress controller serves store hosts on, when it is not the scheme's default: the
    local real node's Traefik listens on a free loopback port, so store URLs must carry it to open."""

    baked_images: bool = False
    """Use WordPress images with WooCommerce/themes baked in (no internet egress needed at setup)."""

    pod_security_level: str = "baseline"
    """Pod Security Admission level for store namespaces; WordPress's Apache image needs baseline."""

    max_concurrent_provisions: int = Field(default=6, ge=1)
    """Global limit on stores provisioning at once (helm + rollout + setup); the rest wait as Queued.
    Protects a small cluster from a thundering herd of installs. 6 measured best on 2 cores
    (tests/perf, 20 stores: 3 → 18.4, 6 → 19.4-20.0, 10 → 19.6 stores/min, p50 worst at 10): past
    that, the control plane, not the limit, sets the pace."""

    rollout_timeout_seconds: int = 300
    """How long to wait for a store's workloads to become Ready before the step fails."""

    orphan_sweep_interval_seconds: float = Field(default=60.0, gt=0)
    """How often store namespaces whose Store is gone are looked for and removed (also once at start-up).
    Orphans should not happen at all (the finalizer and the pre-action check prevent them); the sweep is
    the net for crashes between two API calls and hand-removed finalizers, so a minute is plenty."""

    idle_resync_seconds: float = Field(default=3600.0, gt=0)
    """A converged or stalled store is looked at again after this long anyway (level-triggered, like
    Flux's interval). Changes to the Store itself are acted on at once (its watch), and so are changes
    of its namespace and workloads (their watches, ``store.drift``): a hand-scaled Deployment, a
    deleted namespace. This look is the net for what no watch sees (a release changed by hand, a
    deleted Ingress or credentials Secret). Each look is a full pass with about seven API reads, so a
    fleet of N idle stores costs N / this many passes a second (1000 stores: one every 3.6 s)."""

    step_max_attempts: int = 4
    """Attempts per reconcile step before the store is marked Failed/Stalled."""

    retry_base_delay_seconds: float = 2.0
    retry_max_delay_seconds: float = 60.0
    """Exponential backoff with jitter between attempts, capped so a fixed cause recovers quickly."""

    # ---- Audit ----
    audit_database_url: SecretStr | None = None
    """PostgreSQL URL of the durable audit log (the gateway's STOREFLEET_AUDIT_DATABASE_URL), from a
    Secret through the environment. Every Store Event is also queued for it; None writes Events only.
    The gateway creates the same schema and runs retention; either may start first."""

    # ---- Replicas ----
    peering_priority: int | None = Field(default=None, ge=0)
    """This replica's kopf peering priority: of the replicas in the ``storefleet`` peering, the one with
    the highest priority handles resources and the others stand by. None draws one at random at each
    start. Replicas with the same priority all pause (kopf cannot tell which one should work), so a
    fixed value must differ per replica; the default, the same 0 everywhere, left every replica of a
    two-replica Deployment paused and no Store handled."""

    # ---- Observability ----
    metrics_port: int = 9090
    liveness_port: int = 8080
    log_format: str = "json"
    """`json` for production log pipelines, `text` for a developer's terminal."""
