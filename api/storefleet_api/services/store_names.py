"""What a tenant may call a store: a legal Kubernetes name that is not reserved and not offensive.

Boundary: pure. `naming.validate_store_name` (the operator's rule, shared with the CRD) decides what
Kubernetes can accept; this module adds the product's rules on top, for names typed into the
dashboard. A Store applied with kubectl skips these rules on purpose: it is the platform engineer's
namespace and choice.

Offensive words are matched as whole words between `-` separators, never as substrings: the
predecessor's substring match refused "classic", "skill", "drugstore" and "essex" (its bug B12).
"""

from __future__ import annotations

from collections.abc import Iterable

from storefleet_operator import naming

MIN_STORE_NAME = 3
"""Shorter names are too easy to mistype or confuse (the predecessor's minimum)."""

# fmt: off
RESERVED_STORE_NAMES = frozenset(
    {
        # The platform's own hosts, paths and components: a store named like them would be mistaken
        # for (or shadow) the platform at <store>-<tenant>.<domain>.
        "admin", "administrator", "api", "app", "apps", "assets", "auth", "billing", "blog", "cdn",
        "config", "console", "dashboard", "default", "dev", "docs", "ftp", "gateway", "git", "help",
        "host", "imap", "internal", "localhost", "login", "logout", "mail", "metrics", "monitoring",
        "mx", "ns", "null", "operator", "password", "platform", "pop", "pop3", "portal", "register",
        "root", "security", "settings", "signup", "smtp", "ssl", "staging", "static", "status",
        "store", "stores", "storefleet", "support", "system", "tenant", "tenants", "undefined", "user",
        "users", "webmail", "www",
        # Kubernetes and the engines' own names, which appear in namespaces and workload names.
        "kubernetes", "kube", "ingress", "nginx", "traefik", "prometheus", "grafana", "medusa",
        "woocommerce", "wordpress", "mariadb", "mysql", "postgres", "postgresql", "redis",
    }
)
RESERVED_PREFIXES = ("kube-", "storefleet-", "system-", "openshift-")
"""Prefixes Kubernetes distributions and the platform keep for themselves."""

BLOCKED_WORDS = frozenset(
    {
        "arse", "arsehole", "asshole", "bastard", "bitch", "bollocks", "bullshit", "cock", "cunt",
        "dick", "dickhead", "fag", "fuck", "fucker", "fucking", "motherfucker", "nazi", "piss",
        "porn", "prick", "pussy", "rape", "shit", "shitty", "slut", "twat", "wank", "wanker", "whore",
    }
)
"""A short list of common English profanity; installations add their own with
STOREFLEET_EXTRA_BLOCKED_STORE_WORDS."""
# fmt: on


class StoreNameError(ValueError):
    """A store name the dashboard refuses; the message says why and what to do."""


def check_store_name(name: str, *, extra_blocked: Iterable[str] = ()) -> str:
    """Return `name` if a tenant may create a store with it, else raise StoreNameError saying why."""
    try:
        naming.validate_store_name(name)
    except naming.InvalidNameError as error:
        raise StoreNameError(str(error)) from None
    if len(name) < MIN_STORE_NAME:
        raise StoreNameError(f"store name {name!r} is too short: use at least {MIN_STORE_NAME} characters")
    if "--" in name:
        raise StoreNameError(f"store name {name!r} contains '--': separate words with a single '-'")
    if name in RESERVED_STORE_NAMES or name.startswith(RESERVED_PREFIXES):
        raise StoreNameError(f"store name {name!r} is reserved for the platform; choose another name")
    blocked = BLOCKED_WORDS | {word.strip().lower() for word in extra_blocked if word.strip()}
    if any(word in blocked for word in name.split("-")):
        raise StoreNameError("this store name contains a word we do not allow in store names; choose another name")
    return name
