"""Whether this gateway process is draining: readiness turns 503 first, the server stops later.

Boundary: a flag and the objects built at startup. `__main__` flips the flag on SIGTERM; the
lifespan flips it on exit; the readiness endpoint reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from storefleet_api.config import Settings
from storefleet_api.metrics import GatewayMetrics
from storefleet_api.services.accounts import AccountService
from storefleet_api.services.audit import SecurityAudit
from storefleet_api.services.audit_log import AuditLog
from storefleet_api.services.store_stream import StoreStreams
from storefleet_api.services.stores import StoreService
from storefleet_api.storage.health import HealthProbe
from storefleet_api.storage.kubernetes import KubernetesClients
from storefleet_api.storage.tenants import TenantStore


class Lifecycle:
    def __init__(self) -> None:
        self.shutting_down = False

    def begin_shutdown(self) -> None:
        self.shutting_down = True


@dataclass(frozen=True)
class Services:
    """Everything a request handler may use, built once per process in the lifespan."""

    settings: Settings
    clients: KubernetesClients
    accounts: AccountService
    tenants: TenantStore
    health: HealthProbe
    audit: SecurityAudit
    metrics: GatewayMetrics
    lifecycle: Lifecycle
    stores: StoreService
    streams: StoreStreams
    audit_log: AuditLog
