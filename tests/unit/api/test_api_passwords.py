"""Password hashing: scrypt with a per-user salt, parameters stored with the hash, constant-time check."""

from __future__ import annotations

import hmac
import time

import pytest

from storefleet_api.services import passwords
from storefleet_api.services.passwords import MalformedHashError, hash_password, verify_password

pytestmark = pytest.mark.unit


def test_the_right_password_verifies_and_a_wrong_one_does_not() -> None:
    stored = hash_password("correct horse battery staple")
    assert verify_password("correct horse battery staple", stored)
    assert not verify_password("correct horse battery stapl", stored)
    assert not verify_password("Correct horse battery staple", stored)
    assert not verify_password("", stored)


def test_the_same_password_hashes_differently_each_time_and_both_verify() -> None:
    first, second = hash_password("same password"), hash_password("same password")
    assert first != second  # a per-user salt: equal passwords are not visible as equal hashes
    assert verify_password("same password", first) and verify_password("same password", second)


def test_the_stored_form_names_the_algorithm_and_its_parameters_and_hides_the_password() -> None:
    stored = hash_password("hunter2hunter2")
    scheme, n, r, p, _salt, _digest = stored.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", passwords.SCRYPT_N, passwords.SCRYPT_R, passwords.SCRYPT_P)
    assert "hunter2" not in stored


def test_composed_and_decomposed_unicode_are_the_same_password() -> None:
    stored = hash_password("caf\u00e9-p\u00e4ss")  # é and ä as single code points
    assert verify_password("cafe\u0301-pa\u0308ss", stored)  # the same letters typed as base + accent


def test_any_characters_are_allowed_in_a_password() -> None:
    hostile = "'; DROP TABLE users; -- $(rm -rf /) `id` \x00 \u202e \U0001f600"
    assert verify_password(hostile, hash_password(hostile))


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param("plaintext", id="not-a-hash"),
        pytest.param("bcrypt$12$abc", id="another-scheme"),
        pytest.param("scrypt$3$8$1$c2FsdA==$ZGlnZXN0", id="n-not-a-power-of-two"),
        pytest.param("scrypt$2147483648$8$1$c2FsdA==$ZGlnZXN0", id="n-absurdly-large"),
        pytest.param("scrypt$16384$8$1$not base64!$ZGlnZXN0", id="salt-not-base64"),
    ],
)
def test_an_unreadable_stored_hash_is_refused_rather_than_guessed(stored: str) -> None:
    with pytest.raises(MalformedHashError):
        verify_password("anything", stored)


def test_a_tampered_digest_does_not_verify() -> None:
    stored = hash_password("password123")
    head, digest = stored.rsplit("$", 1)
    tampered = head + "$" + ("A" if digest[0] != "A" else "B") + digest[1:]
    assert not verify_password("password123", tampered)


def test_verification_compares_digests_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(passwords.hmac, "compare_digest", recording)
    stored = hash_password("timing matters")
    assert not verify_password("timing matter", stored)
    assert len(compared) == 1 and len(compared[0][0]) == len(compared[0][1]) == passwords.HASH_BYTES


def test_an_unknown_account_costs_as_much_time_as_a_wrong_password() -> None:
    stored = hash_password("some password")
    passwords.burn_verification_time("warm-up")  # builds the dummy hash once

    def fastest(action: object) -> float:
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            action()  # type: ignore[operator]
            runs.append(time.perf_counter() - started)
        return min(runs)

    real = fastest(lambda: verify_password("wrong", stored))
    dummy = fastest(lambda: passwords.burn_verification_time("wrong"))
    # Same scrypt work both ways; generous bounds because the machine may be busy.
    assert 0.3 < dummy / real < 3.0
