"""JWT access tokens: HS256 only, with issuer, audience, expiry and issue time always checked.

Boundary: pure; the signing key is handed in (it lives in the Secret `storefleet-jwt`, read by
`storage.signing_keys`). The algorithm is pinned on decode, so `alg: none`, HS512 and the RS256/HS256
key-confusion trick are all refused by the same rule.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, TypeGuard

import jwt

from storefleet_api.config import KNOWN_DEFAULT_SECRETS, Environment
from storefleet_api.models.people import Role as Role

ALGORITHM = "HS256"
MIN_KEY_BYTES = 32
_LEEWAY_SECONDS = 10  # replicas' clocks differ a little; more would extend every token's life
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "gen"]
_REMEMBERED_TOKENS = 10_000
"""Tokens verified lately, kept by their exact text (emptied when full). A client sends the same
token with every request, and PyJWT's decode (base64, three JSON documents, key checks, HMAC) was
the largest cost of an authenticated read once users and stores came from caches. A remembered
token still expires on time; revocation (password change, deleted user) is judged per request by
the caller against the user, as before."""


class TokenError(Exception):
    """A token that must not be honoured; the message says why, for the person holding it."""


class InsecureSigningKeyError(ValueError):
    """The signing key in the cluster is too weak to run in production."""


@dataclass(frozen=True)
class TokenClaims:
    subject: str
    role: Role
    tenant: str
    issued_at: int
    expires_at: int
    generation: int


def check_signing_key(key: bytes, environment: Environment) -> None:
    """Refuse weak keys outside development (a short or well-known key lets anyone mint tokens)."""
    if environment != "production":
        return
    if key.decode("utf-8", "replace").strip().lower() in KNOWN_DEFAULT_SECRETS:
        raise InsecureSigningKeyError(
            "the JWT signing key is a known default; delete the Secret storefleet-jwt and restart"
        )
    if len(key) < MIN_KEY_BYTES:
        raise InsecureSigningKeyError(
            f"the JWT signing key is {len(key)} bytes; production needs at least {MIN_KEY_BYTES}. "
            "Delete the Secret storefleet-jwt and restart: the gateway creates a random 64-byte key."
        )


class TokenSigner:
    """Issues and verifies the gateway's access tokens with one key and one issuer/audience pair."""

    def __init__(self, key: bytes, *, issuer: str, audience: str, ttl_seconds: int) -> None:
        self._key = key
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds
        self._verified: dict[str, TokenClaims] = {}

    def issue(self, *, subject: str, role: Role, tenant: str, generation: int = 0, now: float | None = None) -> str:
        """A token for one user. `generation` is the user's token generation: bumping it (on a
        password change) invalidates every token issued before, to the request, not to the second."""
        issued = int(time.time() if now is None else now)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": issued,
            "nbf": issued,
            "exp": issued + self.ttl_seconds,
            "role": role,
            "tenant": tenant,
            "gen": generation,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def verify(self, token: str) -> TokenClaims:
        remembered = self._verified.get(token)
        if remembered is not None:
            if remembered.expires_at <= time.time() - _LEEWAY_SECONDS:  # PyJWT's own rule for exp
                del self._verified[token]
                raise TokenError("the token has expired; log in again")
            return remembered
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=_LEEWAY_SECONDS,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as error:
            raise TokenError("the token has expired; log in again") from error
        except jwt.PyJWTError as error:
            raise TokenError("the token is not valid here; log in again") from error
        verified = _claims_from(claims)
        if len(self._verified) >= _REMEMBERED_TOKENS:
            self._verified.clear()
        self._verified[token] = verified
        return verified


def _claims_from(claims: dict[str, Any]) -> TokenClaims:
    subject, role, tenant = claims.get("sub"), claims.get("role"), claims.get("tenant")
    if not isinstance(subject, str) or role not in ("admin", "tenant") or not isinstance(tenant, str):
        raise TokenError("the token is missing its user, role or tenant; log in again")
    issued_at, expires_at, generation = claims["iat"], claims["exp"], claims.get("gen")
    if not (_whole(issued_at) and _whole(expires_at) and _whole(generation)):
        raise TokenError("the token's times or generation are not whole numbers; log in again")
    return TokenClaims(
        subject=subject, role=role, tenant=tenant, issued_at=issued_at, expires_at=expires_at, generation=generation
    )


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
