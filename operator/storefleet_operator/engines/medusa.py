"""The Medusa v1 setup recipe: ``storefleet-medusa`` subcommands run in the ``medusa`` container.

Migrations and seeding of an empty database run in the chart's init containers, so a second Medusa
process is never started next to the live server just for them (predecessor review, mistake 7). What is
left needs the running store: wait for ``/health``, make the owner's admin user (password on STDIN as
JSON, never argv), set the store name (one argv element, no shell) and verify the catalog. The image side
of these subcommands lives in ``deploy/images/medusa/bin/storefleet-medusa``.
"""

from __future__ import annotations

import json
from typing import Final

from .context import SetupContext, check_common
from .steps import SetupStep

CONTAINER: Final = "medusa"
COMPONENT: Final = "medusa"
RECIPE_VERSION: Final = "medusa/1"
TOOL: Final = "storefleet-medusa"


def admin_document(ctx: SetupContext) -> str:
    """The JSON ``ensure-admin`` reads from STDIN."""
    return json.dumps({"email": ctx.admin.email, "password": ctx.admin.password}) + "\n"


def medusa_recipe(ctx: SetupContext) -> tuple[SetupStep, ...]:
    """The ordered Medusa setup steps for one store."""
    check_common(ctx)
    password = ctx.admin.password
    return (
        # The server answers /health only after its loaders finish (10-20 s after start on a warm
        # node); the runner's retries are the wait.
        SetupStep(
            name="wait-for-medusa-health",
            title="Waiting for the Medusa server",
            container=CONTAINER,
            argv=(TOOL, "health"),
            timeout_seconds=15.0,
            attempts=15,
        ),
        SetupStep(
            name="ensure-admin-user",
            title="Creating the store admin user",
            container=CONTAINER,
            argv=(TOOL, "ensure-admin"),
            stdin=admin_document(ctx),
            # The JSON escapes some characters, so redact the password in both spellings.
            secrets=(password, json.dumps(password)[1:-1]),
            timeout_seconds=180.0,
        ),
        SetupStep(
            name="set-store-name",
            title="Setting the store name",
            container=CONTAINER,
            argv=(TOOL, "set-store-name", "--name", ctx.display_name),
        ),
        SetupStep(
            name="verify-medusa-catalog",
            title="Checking regions, shipping options and products",
            container=CONTAINER,
            argv=(TOOL, "verify"),
            attempts=3,
        ),
    )
