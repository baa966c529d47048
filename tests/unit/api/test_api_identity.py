"""Names derived from people: emails, user ids, tenant names, and the client address for limits."""

from __future__ import annotations

import ipaddress
import re

import pytest

from storefleet_api.services.identity import (
    clean_display_name,
    client_ip,
    normalise_email,
    tenant_name_for,
    user_id_for,
)
from storefleet_api.storage.kubernetes import tenant_service_account_user

pytestmark = pytest.mark.unit

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("alice@example.com", "alice@example.com", id="plain"),
        pytest.param("  Alice@Example.COM ", "alice@example.com", id="case-and-spaces"),
        pytest.param("a.b+shop@mail.example.co.uk", "a.b+shop@mail.example.co.uk", id="dots-plus-subdomains"),
        pytest.param("\uff41lice@example.com", "alice@example.com", id="fullwidth-letter-folds"),
        pytest.param("alice@example.com\n", "alice@example.com", id="trailing-newline-trimmed"),
    ],
)
def test_emails_are_normalised_so_one_person_is_one_account(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("alice", id="no-at"),
        pytest.param("alice@localhost", id="no-dot-in-domain"),
        pytest.param("al ice@example.com", id="space"),
        pytest.param("a$(reboot)@example.com", id="shell-substitution"),
        pytest.param("a`id`@example.com", id="backticks"),
        pytest.param("a;b@example.com", id="semicolon"),
        pytest.param("alice@exa_mple.com", id="underscore-in-domain"),
        pytest.param("alice..b@example.com", id="double-dot"),
        pytest.param(".alice@example.com", id="leading-dot"),
        pytest.param("alice@-example.com", id="label-starts-with-hyphen"),
        pytest.param("ålice@example.com", id="non-ascii-local-part"),
        pytest.param("alice\n@example.com", id="inner-newline"),
        pytest.param("a" * 65 + "@example.com", id="local-part-too-long"),
        pytest.param("a@" + "b" * 250 + ".com", id="too-long"),
    ],
)
def test_addresses_we_do_not_accept_are_refused_with_a_reason(raw: str) -> None:
    with pytest.raises(ValueError, match=r"email|at most"):
        normalise_email(raw)


def test_the_user_id_is_stable_and_does_not_contain_the_email() -> None:
    assert user_id_for("alice@example.com") == user_id_for("alice@example.com")
    assert user_id_for("alice@example.com") != user_id_for("bob@example.com")
    assert "alice" not in user_id_for("alice@example.com")
    assert DNS_LABEL.match(user_id_for("alice@example.com"))


@pytest.mark.parametrize(
    "email",
    [
        "alice@example.com",
        "a.very.long.local.part.that.goes.on.and.on@example.com",
        "---@example.com",
        "1234@example.com",
        "_.%+-@example.com",
    ],
)
def test_tenant_names_are_dns_labels_of_at_most_30_characters(email: str) -> None:
    name = tenant_name_for(email)
    assert DNS_LABEL.match(name) and len(name) <= 30
    assert tenant_name_for(email) == name  # every replica derives the same name
    assert tenant_name_for(email, salt="x") != name  # the fallback after a name clash differs


def test_tenant_names_are_readable() -> None:
    assert tenant_name_for("alice.smith@example.com").startswith("alice-smith-")


def test_two_people_with_the_same_local_part_get_different_tenants() -> None:
    assert tenant_name_for("alice@example.com") != tenant_name_for("alice@example.org")


def test_the_impersonated_user_is_the_tenants_service_account() -> None:
    assert tenant_service_account_user("alice-1a2b3c") == "system:serviceaccount:tenant-alice-1a2b3c:storefleet-tenant"


@pytest.mark.parametrize("tenant", ["", "Alice", "a:b", "a\r\nImpersonate-Group: system:masters", "-a", "a" * 64])
def test_an_odd_tenant_string_never_reaches_the_impersonation_header(tenant: str) -> None:
    with pytest.raises(ValueError, match="tenant name"):
        tenant_service_account_user(tenant)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Alice's shop", "Alice's shop", id="plain"),
        pytest.param("  Ünïcødé 店  ", "Ünïcødé 店", id="unicode-trimmed"),
        pytest.param("$(rm -rf /); `id` | cat", "$(rm -rf /); `id` | cat", id="shell-text-is-just-text"),
    ],
)
def test_display_names_keep_what_people_typed(raw: str, expected: str) -> None:
    assert clean_display_name(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("   ", id="blank"),
        pytest.param("shop\x00", id="nul"),
        pytest.param("shop\nname", id="newline"),
        pytest.param("evil\u202eshop", id="right-to-left-override"),
        pytest.param("zero\u200bwidth", id="zero-width-space"),
    ],
)
def test_display_names_with_control_or_invisible_characters_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="display name"):
        clean_display_name(raw)


PROXIES = [ipaddress.ip_network("10.0.0.0/8")]


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        pytest.param("203.0.113.5", None, PROXIES, "203.0.113.5", id="direct-client"),
        pytest.param("203.0.113.5", "1.2.3.4", PROXIES, "203.0.113.5", id="untrusted-peer-cannot-choose-its-bucket"),
        pytest.param("10.1.2.3", "198.51.100.9", PROXIES, "198.51.100.9", id="trusted-proxy"),
        pytest.param("10.1.2.3", "6.6.6.6, 198.51.100.9", PROXIES, "198.51.100.9", id="spoofed-left-entry-ignored"),
        pytest.param("10.1.2.3", "198.51.100.9, 10.9.9.9", PROXIES, "198.51.100.9", id="two-proxy-hops"),
        pytest.param("10.1.2.3", "not-an-ip", PROXIES, "10.1.2.3", id="garbage-chain"),
        pytest.param("10.1.2.3", "198.51.100.9", [], "10.1.2.3", id="no-trusted-proxies-configured"),
        pytest.param(None, None, PROXIES, "unknown", id="no-peer"),
    ],
)
def test_the_client_address_believes_forwarded_headers_only_from_trusted_proxies(
    peer: str | None, forwarded: str | None, trusted: list[ipaddress.IPv4Network], expected: str
) -> None:
    assert client_ip(peer, forwarded, trusted) == expected
