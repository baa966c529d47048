"""Every setting of the operator and the gateway is read somewhere in its package.

A setting nothing reads is worse than none: a person sets it, the deployment accepts it, and nothing
changes (the operator's ``default_store_limit`` was one). The check is textual on purpose: a field is
read when some module of the package other than the settings module names it as an attribute.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from storefleet_api.config import Settings
from storefleet_operator.settings import OperatorSettings

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
CASES = [
    (OperatorSettings, REPO / "operator" / "storefleet_operator", "settings.py"),
    (Settings, REPO / "api" / "storefleet_api", "config.py"),
]


def unread(settings: type[BaseSettings], package: Path, defined_in: str) -> list[str]:
    sources = "\n".join(p.read_text() for p in package.rglob("*.py") if p.name != defined_in)
    return [name for name in settings.model_fields if not re.search(rf"\.{name}\b", sources)]


@pytest.mark.parametrize(("settings", "package", "defined_in"), CASES, ids=["operator", "gateway"])
def test_every_setting_is_read_somewhere(settings: type[BaseSettings], package: Path, defined_in: str) -> None:
    assert unread(settings, package, defined_in) == [], "settings nothing reads: remove them or use them"
