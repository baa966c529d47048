"""Argo CD resource actions for Stores (retry, suspend, resume), run by a real Lua interpreter over the
cases in actions/action_test.yaml, in the format of Argo CD's own resource_customizations tests.

``os.date`` is fixed for the run so the retry annotation is exact; the script sticks to the Lua subset
gopher-lua (Argo CD's interpreter) shares with Lua 5.4, as health.lua does."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.unit.models.test_argocd_health import ARGOCD, LUA, lua_literal

pytestmark = [
    pytest.mark.unit,
    pytest.mark.skipif(LUA is None, reason="no Lua interpreter: apt-get install -y lua5.4"),
]

ACTIONS = ARGOCD / "actions"
CASES = yaml.safe_load((ACTIONS / "action_test.yaml").read_text(encoding="utf-8"))
FIXED_NOW = "2026-01-01T12:00:00Z"

# A JSON writer for the harness only (Argo CD serializes the returned table itself).
TO_JSON = r"""
local function is_array(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  for i = 1, n do if t[i] == nil then return false end end
  return n > 0
end
local function to_json(v)
  local kind = type(v)
  if kind == "table" then
    local parts = {}
    if is_array(v) then
      for _, item in ipairs(v) do parts[#parts + 1] = to_json(item) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do parts[#parts + 1] = string.format("%q", k) .. ":" .. to_json(v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif kind == "string" then
    return string.format("%q", v)
  elseif kind == "number" then
    if math.type(v) == "integer" then return string.format("%d", v) end
    return tostring(v)
  end
  return tostring(v)
end
"""


def load(relative: str) -> dict[str, Any]:
    obj: dict[str, Any] = json.loads(json.dumps(yaml.safe_load((ACTIONS / relative).read_text()), default=str))
    return obj


def run_lua(script: Path, obj: dict[str, Any]) -> Any:
    assert LUA is not None
    program = (
        f"{TO_JSON}\n"
        f'os.date = function() return "{FIXED_NOW}" end\n'
        f"obj = {lua_literal(obj)}\n"
        f"local result = dofile({json.dumps(str(script))})\n"
        "io.write(to_json(result))\n"
    )
    done = subprocess.run([LUA, "-"], input=program, capture_output=True, text=True, timeout=10, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("case", CASES["discoveryTests"], ids=lambda c: Path(c["inputPath"]).stem)
def test_discovery_offers_only_the_actions_that_change_something(case: dict[str, Any]) -> None:
    offered = run_lua(ACTIONS / "discovery.lua", load(case["inputPath"]))
    assert {name: spec["disabled"] for name, spec in offered.items()} == {
        r["name"]: r["disabled"] for r in case["result"]
    }


@pytest.mark.parametrize("case", CASES["actionTests"], ids=lambda c: c["action"])
def test_action_produces_the_expected_object(case: dict[str, Any]) -> None:
    result = run_lua(ACTIONS / case["action"] / "action.lua", load(case["inputPath"]))
    assert result == load(case["expectedOutputPath"])


def test_every_action_has_a_case_and_a_script() -> None:
    scripts = {p.parent.name for p in ACTIONS.glob("*/action.lua")}
    assert scripts == {c["action"] for c in CASES["actionTests"]} == {"retry", "suspend", "resume"}


@pytest.mark.parametrize("script", sorted(ACTIONS.glob("**/*.lua")), ids=lambda p: p.parent.name)
def test_actions_avoid_syntax_gopher_lua_lacks(script: Path) -> None:
    code = "\n".join(line.split("--", 1)[0] for line in script.read_text(encoding="utf-8").splitlines())
    for construct in ("//", "goto ", "utf8.", "<const>", "<close>", "&", "|", "~ ", "math.type"):
        assert construct not in code, construct
