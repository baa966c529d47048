"""Access tokens: what a valid one looks like, and every forgery we know of answered with 401.

The attacks go through the real app (`GET /api/v1/auth/me`); a token that passes every check
reaches the user lookup, which needs the cluster and so answers 503 here. That contrast is the
point: 401 means the token was refused, not that nothing works.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from api_support import SIGNING_KEY
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from storefleet_api.services.tokens import (
    InsecureSigningKeyError,
    TokenError,
    TokenSigner,
    check_signing_key,
)

pytestmark = pytest.mark.unit

ISSUER, AUDIENCE = "storefleet", "storefleet-api"
SIGNER = TokenSigner(SIGNING_KEY, issuer=ISSUER, audience=AUDIENCE, ttl_seconds=3600)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-0123456789abcdef0123456789abcdef01234567",
        "iat": now,
        "exp": now + 3600,
        "role": "tenant",
        "tenant": "alice-1a2b3c",
        "gen": 0,
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def hand_signed(header: dict[str, Any], payload: dict[str, Any], key: bytes) -> str:
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def unsigned(header: dict[str, Any], payload: dict[str, Any]) -> str:
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}."


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def forged_tokens() -> list[Any]:
    private = rsa_key()
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    good = SIGNER.issue(subject="user-x", role="tenant", tenant="alice-1a2b3c")
    head, body, signature = good.split(".")
    escalated = json.loads(base64.urlsafe_b64decode(body + "=="))
    escalated["role"] = "admin"
    return [
        pytest.param(unsigned({"alg": "none", "typ": "JWT"}, claims()), id="alg-none"),
        pytest.param(unsigned({"alg": "None", "typ": "JWT"}, claims()), id="alg-None-capitalised"),
        pytest.param(jwt.encode(claims(), SIGNING_KEY, algorithm="HS512"), id="hs512-with-the-right-key"),
        pytest.param(jwt.encode(claims(), private, algorithm="RS256"), id="rs256-own-key"),
        pytest.param(
            hand_signed({"alg": "HS256", "typ": "JWT"}, claims(), public_pem), id="rs256-to-hs256-key-confusion"
        ),
        pytest.param(jwt.encode(claims(), b"w" * 64, algorithm="HS256"), id="wrong-key"),
        pytest.param(
            jwt.encode(claims(iat=int(time.time()) - 7200, exp=int(time.time()) - 60), SIGNING_KEY), id="expired"
        ),
        pytest.param(f"{head}.{b64url(json.dumps(escalated).encode())}.{signature}", id="tampered-payload-role-admin"),
        pytest.param(jwt.encode(claims(aud="another-api"), SIGNING_KEY), id="wrong-audience"),
        pytest.param(jwt.encode(claims(iss="someone-else"), SIGNING_KEY), id="wrong-issuer"),
        pytest.param(jwt.encode(claims(exp=None), SIGNING_KEY), id="no-expiry"),
        pytest.param(jwt.encode(claims(aud=None), SIGNING_KEY), id="no-audience"),
        pytest.param(jwt.encode(claims(nbf=int(time.time()) + 3600), SIGNING_KEY), id="not-yet-valid"),
        pytest.param(jwt.encode(claims(role="root"), SIGNING_KEY), id="unknown-role"),
        pytest.param(jwt.encode(claims(sub=None), SIGNING_KEY), id="no-subject"),
        pytest.param(jwt.encode(claims(gen=None), SIGNING_KEY), id="no-token-generation"),
        pytest.param(jwt.encode(claims(gen="0"), SIGNING_KEY), id="generation-not-a-number"),
        pytest.param("not.a.jwt", id="garbage"),
        pytest.param("a" * 5000, id="long-garbage"),
    ]


@pytest.mark.parametrize("token", forged_tokens())
async def test_forged_or_broken_tokens_are_refused_with_401(client: httpx.AsyncClient, token: str) -> None:
    response = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "log in" in response.json()["detail"]


async def test_a_genuine_token_gets_past_the_checks(client: httpx.AsyncClient) -> None:
    token = SIGNER.issue(subject="user-x", role="tenant", tenant="alice-1a2b3c")
    response = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503  # next step is reading the user from the cluster, absent here


@pytest.mark.parametrize(
    "header",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": "Bearer"}, id="empty-bearer"),
        pytest.param({"Authorization": "Basic YWxpY2U6cHc="}, id="basic-auth"),
    ],
)
async def test_requests_without_a_bearer_token_are_told_to_log_in(
    client: httpx.AsyncClient, header: dict[str, str]
) -> None:
    response = await client.get("/api/v1/auth/me", headers=header)
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]


def test_an_issued_token_carries_the_pinned_algorithm_and_all_claims() -> None:
    token = SIGNER.issue(subject="user-x", role="admin", tenant="alice-1a2b3c", generation=3, now=1_000_000)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    payload = jwt.decode(token, options={"verify_signature": False})
    assert payload == {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-x",
        "iat": 1_000_000,
        "nbf": 1_000_000,
        "exp": 1_003_600,
        "role": "admin",
        "tenant": "alice-1a2b3c",
        "gen": 3,
    }


def test_verify_returns_who_the_token_is_for() -> None:
    verified = SIGNER.verify(SIGNER.issue(subject="user-x", role="admin", tenant="alice-1a2b3c"))
    assert (verified.subject, verified.role, verified.tenant) == ("user-x", "admin", "alice-1a2b3c")


def test_an_expired_token_says_so() -> None:
    token = SIGNER.issue(subject="user-x", role="tenant", tenant="t", now=time.time() - 7200)
    with pytest.raises(TokenError, match="expired"):
        SIGNER.verify(token)


@pytest.mark.parametrize(
    ("key", "environment", "refused"),
    [
        pytest.param(b"x" * 64, "production", False, id="random-64-bytes-ok"),
        pytest.param(b"x" * 31, "production", True, id="short-in-production"),
        pytest.param(b"changeme", "production", True, id="known-default-in-production"),
        pytest.param(b"x" * 8, "development", False, id="short-tolerated-in-development"),
    ],
)
def test_weak_signing_keys_are_refused_in_production(key: bytes, environment: str, refused: bool) -> None:
    if refused:
        with pytest.raises(InsecureSigningKeyError, match="storefleet-jwt"):
            check_signing_key(key, environment)  # type: ignore[arg-type]
    else:
        check_signing_key(key, environment)  # type: ignore[arg-type]


def test_a_remembered_token_still_expires_on_time(monkeypatch: pytest.MonkeyPatch) -> None:
    signer = TokenSigner(SIGNING_KEY, issuer=ISSUER, audience=AUDIENCE, ttl_seconds=60)
    token = signer.issue(subject="user-1", role="tenant", tenant="alice-1a2b3c", now=time.time() - 65)
    assert signer.verify(token).subject == "user-1"  # 5 s past exp: within the 10 s leeway
    assert signer.verify(token).subject == "user-1"  # remembered
    later = time.time() + 10
    monkeypatch.setattr("storefleet_api.services.tokens.time.time", lambda: later)
    with pytest.raises(TokenError, match="expired"):
        signer.verify(token)
