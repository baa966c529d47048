"""`python -m storefleet_api.export openapi|store-name-rules`: print what the dashboard is generated
from, as JSON on stdout.

- `openapi`: the gateway's OpenAPI document; the dashboard's TypeScript API types come from it.
- `store-name-rules`: the store-name rules of `services.store_names`, so the create form checks a
  name as the server will, from one source of truth.
`make frontend-api-types` writes both into frontend/src/api; `make lint` regenerates them and fails
when the committed copies have drifted. Neither depends on the environment, so development
settings are used: they need no secrets and no cluster.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from storefleet_api.app import create_app
from storefleet_api.config import Settings
from storefleet_api.services import store_names
from storefleet_operator import naming


def openapi_document() -> dict[str, Any]:
    return create_app(Settings(environment="development")).openapi()


def store_name_rules() -> dict[str, Any]:
    return {
        "minLength": store_names.MIN_STORE_NAME,
        "maxLength": naming.STORE_NAME_MAX,
        "pattern": naming.STORE_NAME_PATTERN,
        "reserved": sorted(store_names.RESERVED_STORE_NAMES),
        "reservedPrefixes": list(store_names.RESERVED_PREFIXES),
        "blockedWords": sorted(store_names.BLOCKED_WORDS),
    }


EXPORTS = {"openapi": openapi_document, "store-name-rules": store_name_rules}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in EXPORTS:
        sys.stderr.write(f"usage: python -m storefleet_api.export {'|'.join(EXPORTS)}\n")
        return 2
    sys.stdout.write(json.dumps(EXPORTS[argv[0]](), indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
