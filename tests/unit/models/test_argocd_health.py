"""Argo CD's health.lua (deploy/argocd/resource_customizations/storefleet.io/Store) gives the health a
person expects for each Store state, and agrees
with the Python kstatus summary the gateway and operator use.

Runs the script in a real Lua interpreter (Debian's lua5.4; Argo CD embeds gopher-lua, Lua 5.1, and
the script sticks to the subset both share)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from storefleet_operator.models import Condition, Store, summarize

pytestmark = pytest.mark.unit

ARGOCD = Path(__file__).resolve().parents[3] / "deploy" / "argocd" / "resource_customizations" / "storefleet.io/Store"
CASES = yaml.safe_load((ARGOCD / "health_test.yaml").read_text(encoding="utf-8"))["tests"]
LUA = next((found for name in ("lua5.4", "lua5.3", "lua") if (found := shutil.which(name))), None)
# Argo CD's own view of each kstatus status.
ACTIVE = [c for c in CASES if c["healthStatus"]["status"] != "Suspended"]
ARGO_HEALTH = {"Terminating": "Progressing", "InProgress": "Progressing", "Failed": "Degraded", "Current": "Healthy"}


def lua_literal(value: Any) -> str:
    """A Lua table constructor for a JSON-like value (what Argo CD hands the script as `obj`)."""
    if isinstance(value, dict):
        items = (f"[{json.dumps(k)}] = {lua_literal(v)}" for k, v in value.items() if v is not None)
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(lua_literal(v) for v in value) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value))  # JSON string escapes are valid Lua string escapes for this data


def run_health(obj: dict[str, Any]) -> tuple[str, str]:
    assert LUA is not None
    program = (
        f"obj = {lua_literal(obj)}\n"
        f"local hs = dofile({json.dumps(str(ARGOCD / 'health.lua'))})\n"
        'io.write(hs.status, "\\n", hs.message)\n'
    )
    done = subprocess.run([LUA, "-"], input=program, capture_output=True, text=True, timeout=10, check=True)
    status, message = done.stdout.split("\n", 1)
    return status, message


def load(case: dict[str, Any]) -> dict[str, Any]:
    # Timestamps stay strings, as in the JSON Argo CD reads (yaml would otherwise make datetimes).
    obj: dict[str, Any] = json.loads(json.dumps(yaml.safe_load((ARGOCD / case["inputPath"]).read_text()), default=str))
    return obj


@pytest.mark.skipif(LUA is None, reason="no Lua interpreter: apt-get install -y lua5.4")
@pytest.mark.parametrize("case", CASES, ids=[Path(c["inputPath"]).stem for c in CASES])
def test_health_lua_reports_the_expected_status_and_message(case: dict[str, Any]) -> None:
    assert run_health(load(case)) == (case["healthStatus"]["status"], case["healthStatus"]["message"])


# kstatus has no Suspended (a suspended store reads its last result; deploy/kstatus checks that).
@pytest.mark.parametrize("case", ACTIVE, ids=[Path(c["inputPath"]).stem for c in ACTIVE])
def test_python_kstatus_summary_agrees_with_the_expected_argo_health(case: dict[str, Any]) -> None:
    obj = load(case)
    status = obj.get("status", {})
    summary = summarize(
        [Condition.model_validate(c) for c in status.get("conditions", [])],
        generation=obj["metadata"].get("generation"),
        observed_generation=status.get("observedGeneration"),
        deleting="deletionTimestamp" in obj["metadata"],
    )
    assert ARGO_HEALTH[summary.status] == case["healthStatus"]["status"]


def test_every_argo_health_outcome_is_covered() -> None:
    assert {c["healthStatus"]["status"] for c in CASES} == {"Progressing", "Degraded", "Healthy", "Suspended"}


def test_health_lua_avoids_syntax_gopher_lua_lacks() -> None:
    lines = (ARGOCD / "health.lua").read_text(encoding="utf-8").splitlines()
    code = "\n".join(line.split("--", 1)[0] for line in lines)  # comments may mention anything
    for construct in ("//", "goto ", "utf8.", "<const>", "<close>", "&", "|", "~ "):
        assert construct not in code, construct


@pytest.mark.parametrize("path", sorted((ARGOCD / "testdata").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_case_is_a_store_the_models_accept(path: Path) -> None:
    # The same objects feed deploy/kstatus (cli-utils) and health.lua: they must be real Store shapes.
    obj = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
    Store.model_validate(obj)
