"""Names derived from people: normalised emails, user ids, tenant names, client addresses.

Boundary: pure functions. Kubernetes object names are derived here (and only here) so that two
replicas always derive the same name for the same person, which is what makes "create, or 409 if it
exists" a uniqueness check.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Sequence

from storefleet_api.config import IpNetwork
from storefleet_api.models.people import MAX_EMAIL_LENGTH as MAX_EMAIL_LENGTH
from storefleet_api.models.people import clean_display_name as clean_display_name
from storefleet_api.models.people import normalise_email as normalise_email

MAX_TENANT_NAME_LENGTH = 30
_SUFFIX_LENGTH = 6
_NOT_DNS = re.compile(r"[^a-z0-9]+")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def user_id_for(email: str) -> str:
    """The user's id and the name of their Secret: a hash, so the name leaks nothing and is stable."""
    return "user-" + _digest(email)[:40]


def tenant_name_for(email: str, salt: str = "") -> str:
    """A DNS-label tenant name (≤ 30 chars) readable by admins: the email's local part plus a hash.

    `salt` changes the hash suffix; callers pass one only after the plain name was already taken.
    """
    local = _NOT_DNS.sub("-", email.split("@", 1)[0]).strip("-")
    prefix = local[: MAX_TENANT_NAME_LENGTH - _SUFFIX_LENGTH - 1].rstrip("-") or "t"
    return f"{prefix}-{_digest(email + salt)[:_SUFFIX_LENGTH]}"


def client_ip(peer: str | None, forwarded_for: str | None, trusted: Sequence[IpNetwork]) -> str:
    """The address a request came from, believing X-Forwarded-For only from trusted proxies.

    Walks the forwarded chain from the nearest hop and stops at the first address that is not a
    trusted proxy: everything left of it was written by the client and could be anything.
    """
    address = peer or "unknown"
    if not forwarded_for or not _is_trusted(address, trusted):
        return address
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # a garbled chain: fall back to the proxy rather than believe any of it
        address = hop
        if not _is_trusted(hop, trusted):
            return hop
    return address


def _is_trusted(address: str, trusted: Sequence[IpNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)
