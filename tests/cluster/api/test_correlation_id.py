"""One correlation id end to end: the X-Request-ID of the gateway request that created a store is
the Store's storefleet.io/request-id annotation, is in every Event the operator writes for that store,
and in the operator's JSON log lines about it — so one id finds a store's whole story."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from store_support import (
    PROVISION_SECONDS,
    clean_up,
    follow,
    retry_while_setting_up,
    store_object,
    tenant_account,
)
from tests.cluster.operator.storeops import events_of
from tests.cluster.operator_support import OperatorProcess

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(PROVISION_SECONDS + 120)]


async def test_the_request_id_follows_a_store_from_the_gateway_to_events_and_operator_logs(
    http: httpx.AsyncClient, operator: OperatorProcess
) -> None:
    cluster = operator.cluster
    account = await tenant_account(http, cluster, "corr")
    request_id = f"corr-{uuid.uuid4().hex[:12]}"
    created = await retry_while_setting_up(lambda: http.post(
        "/api/v1/stores", json={"name": "traced-shop", "engine": "woocommerce"},
        headers={**account.headers, "X-Request-ID": request_id}))
    assert created.status_code == 202, created.text
    assert created.headers["X-Request-ID"] == request_id

    store = store_object(cluster, account.namespace, "traced-shop")
    assert store["metadata"]["annotations"]["storefleet.io/request-id"] == request_id
    assert (await follow(http, "traced-shop", account.headers))[-1] == ("end", {"reason": "ready"})

    by_operator = [e for e in events_of(cluster, account.namespace, "traced-shop")
                   if "storefleet-gateway" not in json.dumps(e.get("source", {})) + str(e.get("reportingComponent"))]
    assert {"Accepted", "Succeeded"} <= {e["reason"] for e in by_operator}
    assert all(f"[request {request_id}]" in e["message"] for e in by_operator), by_operator

    logged = [json.loads(line) for line in operator.logs().splitlines() if line.startswith("{")]
    about_it = [line for line in logged if line.get("store") == f"{account.namespace}/traced-shop"]
    assert about_it and all(line.get("correlation_id") == request_id for line in about_it)
    clean_up(cluster, account)
