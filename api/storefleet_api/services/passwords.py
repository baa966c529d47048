"""Password hashing with the standard library's scrypt.

Boundary: pure CPU work, no I/O. Callers run `hash_password`/`verify_password` in a worker thread
(each takes about a tenth of a second by design) so the event loop keeps serving.

Stored form: ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>``. The parameters travel with the hash so
they can be raised later without invalidating existing users.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import unicodedata

# n=2**15, r=8 costs 32 MiB and ~0.1 s per hash: OWASP's floor is 2**17 (128 MiB), which would let
# ten concurrent logins take over a gigabyte on a small gateway pod. Raise as the pods grow.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
_MAX_N = 2**20  # refuse absurd parameters from a hand-edited Secret instead of exhausting memory



class MalformedHashError(ValueError):
    """The stored hash is not in the form this module writes."""


def _encode_password(password: str) -> bytes:
    # NFKC so the same visible password typed on two keyboards (composed vs decomposed) matches.
    return unicodedata.normalize("NFKC", password).encode("utf-8")


def _scrypt(password: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=HASH_BYTES, maxmem=2 * 128 * r * n * p)


def hash_password(password: str) -> str:
    """A new salted scrypt hash of `password`, in the stored form."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(_encode_password(password), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def _parse(encoded: str) -> tuple[int, int, int, bytes, bytes]:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise MalformedHashError("not a storefleet scrypt hash")
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, digest = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    except ValueError as error:
        raise MalformedHashError("unreadable scrypt hash") from error
    if not (2 <= n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16 and salt and digest):
        raise MalformedHashError("scrypt parameters out of range")
    return n, r, p, salt, digest


def verify_password(password: str, encoded: str) -> bool:
    """Whether `password` matches the stored hash; the comparison takes constant time."""
    n, r, p, salt, expected = _parse(encoded)
    actual = hashlib.scrypt(
        _encode_password(password), salt=salt, n=n, r=r, p=p, dklen=len(expected), maxmem=2 * 128 * r * n * p
    )
    return hmac.compare_digest(actual, expected)


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def burn_verification_time(password: str) -> None:
    """Spend as long as a real verification does, for logins to accounts that do not exist.

    Without it, "no such user" answers in microseconds and "wrong password" in 0.1 s, which tells
    an attacker which emails are registered.
    """
    verify_password(password, _dummy_hash())
