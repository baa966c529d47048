"""Gateway benchmark: p50/p99 latency of listing, reading and creating stores with 50 concurrent
clients and 200 stores in the tenant, against a baseline of the raw Kubernetes calls the gateway makes
for the same requests, at the same concurrency and with the same impersonation.

What runs: the gateway as its own process (`python -m storefleet_api`, deploy/gateway's
ServiceAccount); the load generator and the baseline in this process. No operator: the tenant's
namespace, RBAC and quota are the Tenant reconciler's objects made with its own builder
(`tenant.resources.tenant_objects`, quota raised past the 200 stores), and the 200 Store objects are
created directly as the cluster admin. Nothing is provisioned, so the figures are API work only.

The baseline repeats, per request and in the same order, each call the gateway makes:
- list:   read the user's Secret (as the gateway), list one page of Stores (as the tenant);
- get:    read the user's Secret, get one Store (as the tenant);
- create: read the user's Secret, create a Store (as the tenant), record an Event (as the gateway).
The ratio gateway/baseline is what the HTTP layer, auth, validation and JSON add on top.

Both sides are driven the same way: blocking urllib3 calls (the transport of the Kubernetes client
the baseline uses) from a pool of CLIENTS threads in this process. An asyncio httpx client had
driven the gateway side; with the gateway's reads served from caches it, not the gateway, became
the bottleneck (the gateway process sat mostly idle while its requests queued in the load
generator), so the two sides were not measured alike.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest
import urllib3
import yaml
from kubernetes.client import CoreV1Api, CoreV1Event, CustomObjectsApi, V1ObjectMeta, V1ObjectReference
from tests.support import wait_for

from storefleet_api.services.identity import user_id_for
from storefleet_api.storage.kubernetes import KubernetesClients
from storefleet_localcluster.cluster import LocalCluster
from storefleet_localcluster.platform import GATEWAY_SERVICE_ACCOUNT, PLATFORM_NAMESPACE, GatewayProcess
from storefleet_localcluster.toolchain import REPO_ROOT
from storefleet_operator import contract, naming
from storefleet_operator.models import Tenant
from storefleet_operator.tenant.resources import QUOTA_NAME, STORE_COUNT_RESOURCE, tenant_objects

pytestmark = pytest.mark.perf

CLIENTS = int(os.environ.get("STOREFLEET_BENCH_CLIENTS", "50"))
STORES = int(os.environ.get("STOREFLEET_BENCH_STORES", "200"))
READS = int(os.environ.get("STOREFLEET_BENCH_READS", "500"))
CREATES = int(os.environ.get("STOREFLEET_BENCH_CREATES", "200"))
PAGE = 50
PASSWORD = "benchmark password"
TENANT_CLUSTER_ROLES = REPO_ROOT / "deploy" / "operator" / "tenant-clusterroles.yaml"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def store_body(namespace: str, name: str) -> dict[str, object]:
    return {
        "apiVersion": contract.API_VERSION,
        "kind": "Store",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"engine": "medusa", "displayName": f"Bench {name}"},
    }


def prepare_tenant(cluster: LocalCluster, tenant: str) -> str:
    """The tenant's namespace, RBAC and a quota with room for every store; STORES Stores in it."""
    body = json.loads(cluster.kubectl("get", "tenant", tenant, "-o", "json").stdout)
    objects = tenant_objects(Tenant.from_body(body), PLATFORM_NAMESPACE, GATEWAY_SERVICE_ACCOUNT)
    for obj in objects:
        if obj["kind"] == "ResourceQuota" and obj["metadata"]["name"] == QUOTA_NAME:
            obj["spec"]["hard"][STORE_COUNT_RESOURCE] = str(STORES + CREATES * 3)
    cluster.kubectl("apply", "-f", str(TENANT_CLUSTER_ROLES), "-f", "-", input=yaml.safe_dump_all(objects))
    namespace = naming.tenant_namespace(tenant)

    def quota_counted() -> bool:
        found = cluster.kubectl("get", "resourcequota", QUOTA_NAME, "-n", namespace, "-o", "json").stdout
        return STORE_COUNT_RESOURCE in (json.loads(found).get("status", {}).get("used") or {})

    wait_for(quota_counted, "the tenant's store quota to be counted", timeout=120)
    stores = [store_body(namespace, f"bench-{i:03d}") for i in range(STORES)]
    cluster.kubectl("apply", "--server-side", "-f", "-", input=yaml.safe_dump_all(stores))
    return namespace


async def measure(concurrency: int, requests: list[Callable[[], Awaitable[None]]]) -> tuple[list[float], float]:
    """Run the requests, `concurrency` at a time; each one's latency (s), and the wall time."""
    queue: asyncio.Queue[Callable[[], Awaitable[None]]] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    latencies: list[float] = []

    async def worker() -> None:
        while not queue.empty():
            request = queue.get_nowait()
            began = time.perf_counter()
            await request()
            latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - began


def report(name: str, gateway: tuple[list[float], float], baseline: tuple[list[float], float]) -> dict[str, float]:
    figures = {
        "gateway_p50_ms": statistics.median(gateway[0]) * 1000,
        "gateway_p99_ms": percentile(gateway[0], 0.99) * 1000,
        "baseline_p50_ms": statistics.median(baseline[0]) * 1000,
        "baseline_p99_ms": percentile(baseline[0], 0.99) * 1000,
        "gateway_rps": len(gateway[0]) / gateway[1],
        "baseline_rps": len(baseline[0]) / baseline[1],
    }
    figures["ratio_p50"] = figures["gateway_p50_ms"] / figures["baseline_p50_ms"]
    figures["ratio_p99"] = figures["gateway_p99_ms"] / figures["baseline_p99_ms"]
    print(
        f"{name:<7}{figures['gateway_p50_ms']:>9.1f}{figures['gateway_p99_ms']:>9.1f}{figures['gateway_rps']:>8.1f}"
        f"{figures['baseline_p50_ms']:>11.1f}{figures['baseline_p99_ms']:>9.1f}{figures['baseline_rps']:>8.1f}"
        f"{figures['ratio_p50']:>10.2f}{figures['ratio_p99']:>10.2f}",
        flush=True,
    )
    return figures


class Baseline:
    """The gateway's Kubernetes calls, made directly with the gateway's own client classes."""

    def __init__(self, cluster: LocalCluster, tenant: str, email: str) -> None:
        kubeconfig = cluster.service_account_kubeconfig(PLATFORM_NAMESPACE, GATEWAY_SERVICE_ACCOUNT)
        self.clients = KubernetesClients.from_kubeconfig(kubeconfig, timeout_seconds=30)
        self.core = CoreV1Api(self.clients.admin)
        self.as_tenant = CustomObjectsApi(self.clients.client_for_tenant(tenant))
        self.namespace = naming.tenant_namespace(tenant)
        self.user_id = user_id_for(email)
        self.pool = ThreadPoolExecutor(CLIENTS)  # the same concurrency as the HTTP clients

    def close(self) -> None:
        self.pool.shutdown()
        self.clients.close()

    def _user(self) -> None:
        self.core.read_namespaced_secret(self.user_id, PLATFORM_NAMESPACE)

    def list_page(self) -> None:
        self._user()
        self.as_tenant.list_namespaced_custom_object(
            contract.GROUP, contract.VERSION, self.namespace, contract.STORES, limit=PAGE
        )

    def get_one(self, name: str) -> None:
        self._user()
        self.as_tenant.get_namespaced_custom_object(
            contract.GROUP, contract.VERSION, self.namespace, contract.STORES, name
        )

    def create(self, name: str) -> None:
        self._user()
        created = self.as_tenant.create_namespaced_custom_object(
            contract.GROUP, contract.VERSION, self.namespace, contract.STORES, store_body(self.namespace, name)
        )
        now = datetime.now(UTC)
        self.core.create_namespaced_event(
            self.namespace,
            CoreV1Event(
                metadata=V1ObjectMeta(name=f"{name}.{uuid.uuid4().hex[:16]}", namespace=self.namespace),
                involved_object=V1ObjectReference(
                    kind="Store", name=name, namespace=self.namespace, uid=created["metadata"]["uid"]
                ),
                reason="StoreRequested",
                message="benchmark baseline",
                type="Normal",
                first_timestamp=now,
                last_timestamp=now,
                count=1,
            ),
        )

    def run(self, call: Callable[..., None], *args: str) -> Callable[[], Awaitable[None]]:
        async def request() -> None:
            await asyncio.get_running_loop().run_in_executor(self.pool, call, *args)

        return request


@pytest.mark.timeout(1200)
async def test_gateway_latency_against_the_raw_kubernetes_calls(clean_fleet: LocalCluster) -> None:
    cluster = clean_fleet
    gateway = GatewayProcess(
        cluster,
        env={
            "STOREFLEET_STORE_CREATE_COOLDOWN_SECONDS": "0",
            "STOREFLEET_REGISTER_RATE_LIMIT": "1000",
            "STOREFLEET_LOGIN_RATE_LIMIT": "1000",
            "STOREFLEET_LOG_LEVEL": "WARNING",
            # Sign-ups say where they come from, so they never count against other tests' 127.0.0.1.
            "STOREFLEET_TRUSTED_PROXIES": "127.0.0.1/32",
        },
    )
    gateway.start()
    # Idle connections expire on our side before uvicorn's 5 s keep-alive closes them on its side:
    # otherwise a phase that starts after a long baseline phase races the server's close
    # ("Server disconnected without sending a response").
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS, keepalive_expiry=2.0)
    try:
        address = {"X-Forwarded-For": f"198.18.{random.randrange(256)}.{random.randrange(1, 255)}"}
        async with httpx.AsyncClient(base_url=gateway.url, timeout=120, limits=limits, headers=address) as http:
            # The first account on a platform is its admin; the benchmark is a tenant's.
            await http.post("/api/v1/auth/register", json={"email": f"a-{uuid.uuid4().hex[:8]}@example.com",
                                                          "password": PASSWORD})  # fmt: skip
            email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
            registered = await http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
            assert registered.status_code == 201, registered.text
            assert registered.json()["user"]["role"] == "tenant"
            tenant = registered.json()["user"]["tenant"]
            headers = {"Authorization": f"Bearer {registered.json()['access_token']}"}
            await asyncio.to_thread(prepare_tenant, cluster, tenant)
            baseline = Baseline(cluster, tenant, email)
            names = [f"bench-{random.randrange(STORES):03d}" for _ in range(READS)]

            driver = urllib3.HTTPConnectionPool(
                "127.0.0.1", gateway.port, maxsize=CLIENTS, block=True, headers={**address, **headers},
                retries=urllib3.Retry(total=1, allowed_methods=None, status=0, redirect=0), timeout=120,
            )  # fmt: skip

            def call_gateway(method: str, path: str, expected: int, body: dict[str, str] | None) -> None:
                response = driver.request(method, path, json=body)
                assert response.status == expected, response.data[:2000]

            def checked(
                method: str, path: str, expected: int, json: dict[str, str] | None = None
            ) -> Callable[[], Awaitable[None]]:
                async def request() -> None:
                    await asyncio.get_running_loop().run_in_executor(
                        baseline.pool, call_gateway, method, path, expected, json
                    )

                return request

            # Warm both paths (connections, caches) before measuring.
            await measure(CLIENTS, [checked("GET", f"/api/v1/stores?limit={PAGE}", 200) for _ in range(CLIENTS)])
            await measure(CLIENTS, [baseline.run(baseline.list_page) for _ in range(CLIENTS)])

            print(f"\nGateway benchmark: {CLIENTS} clients, {STORES} stores (latency in ms)")
            print(f"{'':7}{'gateway':>26}{'baseline (raw calls)':>28}{'ratio':>20}")
            print(f"{'':7}{'p50':>9}{'p99':>9}{'req/s':>8}{'p50':>11}{'p99':>9}{'req/s':>8}{'p50':>10}{'p99':>10}")
            figures = {
                "list": report(
                    "list",
                    await measure(CLIENTS, [checked("GET", f"/api/v1/stores?limit={PAGE}", 200) for _ in range(READS)]),
                    await measure(CLIENTS, [baseline.run(baseline.list_page) for _ in range(READS)]),
                ),
                "get": report(
                    "get",
                    await measure(CLIENTS, [checked("GET", f"/api/v1/stores/{name}", 200) for name in names]),
                    await measure(CLIENTS, [baseline.run(baseline.get_one, name) for name in names]),
                ),
                "create": report(
                    "create",
                    await measure(
                        CLIENTS,
                        [
                            checked("POST", "/api/v1/stores", 202, json={"name": f"gw-{i:04d}", "engine": "medusa"})
                            for i in range(CREATES)
                        ],
                    ),
                    await measure(CLIENTS, [baseline.run(baseline.create, f"raw-{i:04d}") for i in range(CREATES)]),
                ),
            }
            baseline.close()
            driver.close()
            listed = await http.get("/api/v1/stores?limit=100", headers=headers)
            assert len(listed.json()["items"]) == 100 and listed.json()["continue_token"]
    except Exception:
        print(f"gateway log (tail):\n{gateway.logs()[-3000:]}")
        raise
    finally:
        gateway.stop()
    print(json.dumps({"clients": CLIENTS, "stores": STORES, **figures}, indent=2))
    for operation, numbers in figures.items():
        # Not a speed target: a ceiling that only a pathological regression (say, a lock that
        # serialises every request) would break on this 2-core machine.
        assert numbers["ratio_p50"] < 20, (operation, numbers)
