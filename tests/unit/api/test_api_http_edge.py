"""What every response carries and what every request is held to: security headers, request ids,
CORS, the 256 KB body limit, the request timeout, readable validation errors, health and metrics."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from api_support import dev_settings, serve
from fastapi.responses import StreamingResponse

pytestmark = pytest.mark.unit

LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("GET", "/api/v1/health/live", None, id="ok"),
        pytest.param("GET", "/api/v1/no-such-thing", None, id="not-found"),
        pytest.param("POST", LOGIN, b"{", id="bad-json"),
        pytest.param("GET", "/api/v1/auth/me", None, id="unauthenticated"),
    ],
)
async def test_every_response_carries_the_security_headers(
    client: httpx.AsyncClient, method: str, path: str, body: bytes | None
) -> None:
    response = await client.request(method, path, content=body)
    headers = response.headers
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"


async def test_a_request_id_is_generated_when_the_client_sends_none(client: httpx.AsyncClient) -> None:
    first = (await client.get("/api/v1/health/live")).headers["X-Request-ID"]
    second = (await client.get("/api/v1/health/live")).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


async def test_a_plain_client_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/health/live", headers={"X-Request-ID": "dashboard-7f3a.1"})
    assert response.headers["X-Request-ID"] == "dashboard-7f3a.1"


@pytest.mark.parametrize(
    "hostile",
    [
        pytest.param("<script>alert(1)</script>", id="markup"),
        pytest.param("a" * 200, id="too-long"),
        pytest.param("id with spaces", id="spaces"),
        pytest.param("short", id="too-short-to-be-unique"),
    ],
)
async def test_a_hostile_request_id_is_replaced(client: httpx.AsyncClient, hostile: str) -> None:
    response = await client.get("/api/v1/health/live", headers={"X-Request-ID": hostile})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


async def test_a_body_over_256_kb_is_refused_with_413_before_it_is_read(client: httpx.AsyncClient) -> None:
    body = json.dumps({"email": "a@example.com", "password": "x" * 270_000})
    response = await client.post(LOGIN, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {"detail": "the request body is larger than the 262144-byte limit"}
    assert response.headers["X-Request-ID"] and response.headers["Content-Security-Policy"]


async def test_a_chunked_body_over_256_kb_is_refused_with_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(30):
            yield b"x" * 10_000  # no Content-Length: counted as it arrives

    response = await client.post(LOGIN, content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


async def test_a_body_just_under_the_limit_is_read_and_judged_on_its_content(client: httpx.AsyncClient) -> None:
    body = json.dumps({"email": "a@example.com", "password": "x" * 200_000})
    response = await client.post(LOGIN, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "password" in response.json()["detail"]


async def test_validation_errors_name_the_fields_without_echoing_what_was_sent(client: httpx.AsyncClient) -> None:
    secret_ish = "hunter2"  # too short for a new password
    junk = "é" * 10_000
    response = await client.post(REGISTER, json={"email": junk, "password": secret_ish, "display_name": "x"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "email" in detail and "password" in detail
    assert secret_ish not in response.text and "éé" not in response.text
    assert len(response.content) < 500


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b"{", "not valid JSON", id="broken-json"),
        pytest.param(
            b'{"email": "a@example.com", "password": "p\\ud800ssword"}',
            "not valid Unicode|unicode",
            id="lone-surrogate",
        ),
        pytest.param(
            b'{"email": "a@example.com", "password": "abcdefghi", "role": "admin"}', "role", id="extra-field-role"
        ),
        pytest.param(b'{"email": ["a@example.com"], "password": "abcdefghi"}', "email", id="wrong-type"),
        pytest.param(b"[]", "dictionary", id="not-an-object"),
    ],
)
async def test_malformed_registrations_get_a_4xx_with_a_reason(
    client: httpx.AsyncClient, body: bytes, reason: str
) -> None:
    response = await client.post(REGISTER, content=body, headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    assert re.search(reason, response.json()["detail"])


async def test_cors_allows_listed_origins_only() -> None:
    async with serve(dev_settings(cors_origins=["https://dash.example.com"])) as (_, client):
        preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
        allowed = await client.options(LOGIN, headers={"Origin": "https://dash.example.com", **preflight})
        refused = await client.options(LOGIN, headers={"Origin": "https://evil.example.net", **preflight})
        simple = await client.get("/api/v1/health/live", headers={"Origin": "https://evil.example.net"})
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://dash.example.com"
    assert "access-control-allow-credentials" not in allowed.headers
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
    assert "access-control-allow-origin" not in simple.headers


async def test_a_request_that_does_not_answer_in_time_gets_504_but_a_started_stream_is_left_alone() -> None:
    async with serve(dev_settings(request_timeout_seconds=0.3)) as (app, client):

        async def stuck() -> dict[str, str]:
            await asyncio.sleep(5)
            return {}

        async def stream() -> StreamingResponse:
            async def slow() -> AsyncIterator[bytes]:
                for _ in range(4):
                    yield b"tick\n"
                    await asyncio.sleep(0.15)

            return StreamingResponse(slow(), media_type="text/plain")

        app.add_api_route("/api/v1/test-stuck", stuck)  # the timeout guards every route, these too
        app.add_api_route("/api/v1/test-stream", stream)
        timed_out = await client.get("/api/v1/test-stuck")
        streamed = await client.get("/api/v1/test-stream")
    assert timed_out.status_code == 504
    assert "longer than 0.3 s" in timed_out.json()["detail"]
    assert streamed.status_code == 200 and streamed.text == "tick\n" * 4


async def test_liveness_is_ok_and_readiness_reports_an_unreachable_cluster(client: httpx.AsyncClient) -> None:
    live = await client.get("/api/v1/health/live")
    ready = await client.get("/api/v1/health/ready")
    report = await client.get("/api/v1/health")
    assert live.status_code == 200
    assert ready.status_code == 503 and "cannot be reached" in ready.json()["detail"]
    assert report.status_code == 200
    assert report.json()["status"] == "degraded" and report.json()["kubernetes"]["reachable"] is False


async def test_readiness_turns_503_as_soon_as_shutdown_begins() -> None:
    async with serve() as (app, client):
        app.state.lifecycle.begin_shutdown()
        ready = await client.get("/api/v1/health/ready")
        live = await client.get("/api/v1/health/live")
    assert ready.status_code == 503 and ready.json()["detail"] == "shutting down"
    assert live.status_code == 200  # still alive: do not restart a pod that is draining


async def test_metrics_need_the_scrape_token_not_a_login(client: httpx.AsyncClient) -> None:
    await client.get("/api/v1/health/live")
    missing = await client.get("/metrics")
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    right = await client.get("/metrics", headers={"Authorization": "Bearer storefleet-dev-metrics-token"})
    assert missing.status_code == 401 and wrong.status_code == 401
    assert right.status_code == 200 and right.headers["Content-Type"].startswith("text/plain")
    assert 'storefleet_gateway_requests_total{method="GET",route="/api/v1/health/live",status="200"}' in right.text
    assert "storefleet_gateway_request_duration_seconds_bucket" in right.text


async def test_metrics_label_unknown_paths_with_one_value(client: httpx.AsyncClient) -> None:
    for i in range(3):
        await client.get(f"/scan/{i}/wp-admin.php")
    text = (await client.get("/metrics", headers={"Authorization": "Bearer storefleet-dev-metrics-token"})).text
    assert 'route="unmatched",status="404"} 3.0' in text
    assert "wp-admin" not in text


async def test_metrics_on_their_own_port_need_no_token_and_leave_the_api_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with serve(dev_settings(metrics_port=port)) as (_, client):
        on_api_port = await client.get("/metrics", headers={"Authorization": "Bearer storefleet-dev-metrics-token"})
        async with httpx.AsyncClient() as scraper:
            scraped = await scraper.get(f"http://127.0.0.1:{port}/metrics")
    assert on_api_port.status_code == 404
    assert scraped.status_code == 200 and "storefleet_gateway_requests_in_flight" in scraped.text


async def test_a_failed_login_attempt_never_echoes_the_password(client: httpx.AsyncClient) -> None:
    response = await client.post(LOGIN, json={"email": "a@example.com", "password": "p4ssw0rd-visible?"})
    assert "p4ssw0rd" not in response.text


async def test_the_openapi_schema_documents_the_auth_endpoints_and_their_errors(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/api/v1/openapi.json")).json()
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/me", "get"),
        ("/api/v1/auth/password", "patch"),
        ("/api/v1/admin/tenants", "get"),
        ("/api/v1/health/ready", "get"),
    ]:
        assert method in paths[path], path
    assert {"401", "423", "429"} <= set(paths["/api/v1/auth/login"]["post"]["responses"])
