"""Kubernetes REST calls as plain JSON, through the official client's ``ApiClient`` (server, credentials,
TLS, connection pool) but none of its generated API classes or models.

Why: the generated classes were a third of the operator's memory before it held a single Store
(``CoreV1Api`` is a 4.5 MB module, about 20 MiB once imported, and each model class builds a pydantic
schema), and turning answers into typed models cost more CPU than the calls themselves. Every caller
in the operator wants dicts anyway.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from kubernetes import client
from kubernetes.client.exceptions import ApiException

JSON: Final = "application/json"
MERGE_PATCH: Final = "application/merge-patch+json"
APPLY_PATCH: Final = "application/apply-patch+yaml"
TIMEOUT_SECONDS: Final = 60


def path(api_version: str, plural: str, name: str | None = None, namespace: str | None = None) -> str:
    """``/api/v1/...`` for the core group, ``/apis/<group>/<version>/...`` for the others."""
    base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
    scope = f"/namespaces/{namespace}" if namespace else ""
    return f"{base}{scope}/{plural}" + (f"/{name}" if name else "")


def call(
    api: client.ApiClient,
    method: str,
    resource_path: str,
    *,
    query: Sequence[tuple[str, str]] = (),
    body: Any = None,
    content_type: str = JSON,
) -> dict[str, Any]:
    """One blocking REST call; the answer's JSON (``{}`` when empty). Raises ``ApiException`` (with
    status, reason and the server's body) on any non-2xx answer, as the generated methods do."""
    method, url, headers, serialized, _ = api.param_serialize(
        method=method,
        resource_path=resource_path,
        query_params=list(query),
        header_params={"Accept": JSON, "Content-Type": content_type},
        body=body,
        auth_settings=["BearerToken"],
    )
    response = api.call_api(method, url, header_params=headers, body=serialized, _request_timeout=TIMEOUT_SECONDS)
    data = response.read()  # reading the body is what hands the connection back to the pool
    if not 200 <= response.status < 300:
        raise ApiException(status=response.status, reason=response.reason, body=data.decode(errors="replace"))
    decoded: dict[str, Any] = json.loads(data) if data else {}
    return decoded


def selector(labels: Mapping[str, str]) -> str:
    """A label selector matching every one of ``labels`` (sorted, for stable URLs)."""
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
