"""The storefleet API contract: group, version, kinds, plurals, labels, annotations and defaults.

The one place these values are defined. The operator, the CRD generator and the gateway all import them
from here (``naming`` re-exports the label keys it derives names with), so a plural or a label key can
never drift between the process that writes an object and the one that reads it. Pure constants: this
module imports nothing of ours and sits below every other layer.
"""

from __future__ import annotations

from typing import Final

GROUP: Final = "storefleet.io"
VERSION: Final = "v1alpha1"
API_VERSION: Final = f"{GROUP}/{VERSION}"

STORE_KIND: Final = "Store"
STORES: Final = "stores"
"""The Store resource's plural: the URL segment, the RBAC resource and the quota's ``count/`` key."""
TENANT_KIND: Final = "Tenant"
TENANTS: Final = "tenants"

DEFAULT_STORE_LIMIT: Final = 5
"""Stores per tenant when the Tenant does not say (the CRD default; the gateway writes it at sign-up)."""
MAX_STORE_LIMIT: Final = 100

# ---- label keys (values are names, never user free text) ----
LABEL_TENANT: Final = "storefleet.io/tenant"
LABEL_STORE: Final = "storefleet.io/store"
LABEL_STORE_NAMESPACE: Final = "storefleet.io/store-namespace"
LABEL_ENGINE: Final = "storefleet.io/engine"
LABEL_STORE_UID: Final = "storefleet.io/store-uid"
"""The uid of the Store an object was made for: a Store deleted and created again under the same name
has a new uid, so what the old one left behind is told apart from what belongs to the new one."""
LABEL_USER_ID: Final = "storefleet.io/user-id"
"""On a Tenant the gateway made at sign-up: the id of the user who owns it."""
LABEL_MANAGED_BY: Final = "app.kubernetes.io/managed-by"
MANAGED_BY: Final = "storefleet"

# ---- annotations ----
ANNOTATION_REQUESTED_AT: Final = "storefleet.io/requested-at"
"""Set to any new value (e.g. a timestamp) to ask the operator to retry a store now."""
ANNOTATION_REQUEST_ID: Final = "storefleet.io/request-id"
"""The gateway's request id of the call that created the Store: the operator logs and Events carry it."""
ANNOTATION_REQUESTED_BY: Final = "storefleet.io/requested-by"
"""The id of the user who asked the gateway for the Store."""

FINALIZER: Final = "storefleet.io/cleanup"
"""The operator's finalizer on every Store. The gateway writes it with the Store, so a Store can never
be removed before the operator has cleaned up what it made for it; kopf adds it to Stores made another
way (kubectl, GitOps), and the operator makes nothing for a Store until it is there."""


class Reason:
    """Every reason the operator writes: condition reasons (CamelCase, as metav1.Condition requires), Event
    reasons and status.history entries. The one vocabulary of why, for Stores, Tenants and engine setup."""

    # In progress.
    ACCEPTED: Final = "Accepted"
    QUEUED: Final = "Queued"
    PROVISIONING: Final = "Provisioning"
    INSTALLING: Final = "Installing"
    UPGRADING: Final = "Upgrading"
    WAITING_FOR_ROLLOUT: Final = "WaitingForRollout"
    CONFIGURING_ENGINE: Final = "ConfiguringEngine"
    RETRY_REQUESTED: Final = "RetryRequested"
    DELETING: Final = "Deleting"
    SUSPENDED: Final = "Suspended"
    RESUMED: Final = "Resumed"
    # Where the pods run (Simulated condition).
    SIMULATED_NODE: Final = "SimulatedNode"
    REAL_NODES: Final = "RealNodes"
    # Done.
    SUCCEEDED: Final = "Succeeded"
    INSTALL_SUCCEEDED: Final = "InstallSucceeded"
    UPGRADE_SUCCEEDED: Final = "UpgradeSucceeded"
    ENGINE_CONFIGURED: Final = "EngineConfigured"
    RELEASE_UNLOCKED: Final = "ReleaseUnlocked"
    ORPHAN_COLLECTED: Final = "OrphanCollected"
    """What a deleted (or replaced) Store left behind was removed: by the sweep, or by its successor."""
    # Failed (retried unless Stalled says otherwise).
    INVALID_SPEC: Final = "InvalidSpec"
    NAMESPACE_CONFLICT: Final = "NamespaceConflict"
    QUOTA_EXCEEDED: Final = "QuotaExceeded"
    NAMESPACE_FAILED: Final = "NamespaceFailed"
    CREDENTIALS_FAILED: Final = "CredentialsFailed"
    HELM_INSTALL_FAILED: Final = "HelmInstallFailed"
    HELM_UPGRADE_FAILED: Final = "HelmUpgradeFailed"
    HELM_UNINSTALL_FAILED: Final = "HelmUninstallFailed"
    ROLLOUT_TIMED_OUT: Final = "RolloutTimedOut"
    ENGINE_SETUP_FAILED: Final = "EngineSetupFailed"
    RETRIES_EXHAUSTED: Final = "RetriesExhausted"
    DELETION_FAILED: Final = "DeletionFailed"
    # Why one engine setup command failed (the runner's words; ENGINE_SETUP_FAILED is the store's).
    COMMAND_FAILED: Final = "CommandFailed"
    COMMAND_NOT_FOUND: Final = "CommandNotFound"
    VERIFICATION_FAILED: Final = "VerificationFailed"
    EXEC_FAILED: Final = "ExecFailed"
    # Tenants.
    DELETION_BLOCKED: Final = "DeletionBlocked"
    TENANT_READY: Final = "TenantReady"
    TENANT_DELETED: Final = "TenantDeleted"
