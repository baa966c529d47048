"""What a person is to the gateway, as plain values: a role, an email, a display name, password bounds.

Boundary: pure (no I/O). Request models validate with these, and services and storage use the same
definitions, so they sit in the lowest layer of the gateway.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Role = Literal["admin", "tenant"]

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128

MAX_EMAIL_LENGTH = 254
# Deliberately narrower than RFC 5322: quotes, backticks, '$', '|' and friends are legal in a local
# part but buy nothing except trouble in every system an email is copied into later.
_EMAIL = re.compile(
    r"^[a-z0-9._%+-]{1,64}@(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def normalise_email(raw: str) -> str:
    """The canonical form of an email address, or ValueError saying what is wrong with it."""
    email = unicodedata.normalize("NFKC", raw).strip().lower()
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValueError(f"an email address has at most {MAX_EMAIL_LENGTH} characters")
    if not _EMAIL.match(email) or ".." in email or email.startswith(".") or ".@" in email:
        raise ValueError("not an email address we accept (letters, digits and . _ % + - before the @)")
    return email


def clean_display_name(raw: str) -> str:
    """A display name without control or invisible formatting characters, or ValueError."""
    name = unicodedata.normalize("NFKC", raw).strip()
    if not name:
        raise ValueError("the display name is empty")
    if any(unicodedata.category(char) in _CONTROL_CATEGORIES for char in name):
        raise ValueError("the display name contains control or invisible formatting characters")
    return name
