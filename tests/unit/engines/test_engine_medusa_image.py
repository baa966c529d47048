"""The Medusa image definition, checked as far as this machine can without Docker.

The image cannot be built or run here (no Docker engine), so these tests check what can go wrong
without it: the JavaScript parses, the pins are exact, the seed has what checkout needs, the config
refuses a CORS wildcard that Medusa v1 silently mis-handles, and the simulator the cluster tests use
offers exactly the subcommands of the real helper.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.unit.engines.enginekit import FAKEBIN, REPO, make_context

from storefleet_operator.engines import medusa_recipe

pytestmark = pytest.mark.unit

IMAGE = REPO / "deploy" / "images" / "medusa"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed on this host")

PINS = {
    "@medusajs/medusa": "1.20.11",
    "@medusajs/medusa-cli": "1.3.23",
    "@medusajs/event-bus-local": "1.9.9",
    "@medusajs/cache-inmemory": "1.8.11",
    "medusa-fulfillment-manual": "1.1.41",
    "medusa-payment-manual": "1.0.25",
    "medusa-interfaces": "1.3.10",
    "typeorm": "0.3.16",
}


def node(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return subprocess.run(
        [NODE, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=IMAGE,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )


def seed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((IMAGE / "data" / "seed.json").read_text())
    return data


def test_direct_dependencies_are_pinned_exactly_and_locked() -> None:
    package = json.loads((IMAGE / "package.json").read_text())
    dependencies = package["dependencies"]
    assert {name: dependencies[name] for name in PINS} == PINS
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in dependencies.values()), "no ranges"
    lock = json.loads((IMAGE / "package-lock.json").read_text())
    assert lock["packages"][""]["dependencies"] == dependencies, "lockfile out of date with package.json"
    for name, version in dependencies.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    assert not any("resolved" in entry for entry in lock["packages"].values()), "no registry URLs in the lockfile"


def test_seed_has_a_us_region_that_can_check_out() -> None:
    data = seed()
    [region] = data["regions"]
    assert (region["currency_code"], region["countries"]) == ("usd", ["us"])
    assert region["payment_providers"] == ["manual"] and region["fulfillment_providers"] == ["manual"]
    options = {o["name"]: o for o in data["shipping_options"]}
    assert {name: o["amount"] for name, o in options.items()} == {"Standard": 500, "Express": 1500}
    assert all(o["region_id"] == region["id"] and o["provider_id"] == "manual" for o in options.values())
    assert data["users"] == [], "the admin comes from ensure-admin (stdin), never from a file in the image"


def test_seed_products_are_priced_in_usd_and_reference_existing_collections() -> None:
    data = seed()
    collections = {c["id"] for c in data["product_collections"]}
    categories = {c["id"] for c in data["categories"]}
    assert len(collections) == 2
    assert len(data["products"]) >= 3
    for product in data["products"]:
        assert product["collection_id"] in collections
        assert {c["id"] for c in product["categories"]} <= categories
        assert product["variants"], product["title"]
        for variant in product["variants"]:
            assert [p["currency_code"] for p in variant["prices"]] == ["usd"]
            # `medusa seed` maps variant options onto product options by position.
            assert len(variant["options"]) == len(product["options"])
    handles = [p["handle"] for p in data["products"]]
    assert len(handles) == len(set(handles))


def test_dockerfile_runs_node_20_as_uid_1000() -> None:
    dockerfile = (IMAGE / "Dockerfile").read_text()
    # Upstream base by default; the local real node passes its own Debian + Node 20 base as BASE.
    assert re.search(r"^ARG BASE=node:20-bookworm-slim$", dockerfile, re.M)
    assert re.search(r"^FROM \$\{BASE\}$", dockerfile, re.M)
    assert re.search(r"^USER 1000:1000$", dockerfile, re.M)
    assert "npm ci" in dockerfile and "package-lock.json" in dockerfile


@needs_node
@pytest.mark.parametrize("script", ["bin/storefleet-medusa", "medusa-config.js"])
def test_javascript_parses(script: str) -> None:
    result = node("--check", script)
    assert result.returncode == 0, result.stderr


@needs_node
def test_config_reads_cors_from_env_and_refuses_a_wildcard() -> None:
    show = "console.log(JSON.stringify(require('./medusa-config.js')))"
    config = json.loads(node("-e", show, env={"STORE_CORS": "https://a.test, /.*\\.b\\.test/"}).stdout)
    project = config["projectConfig"]
    assert project["store_cors"] == "https://a.test,/.*\\.b\\.test/"
    assert project["admin_cors"] == "", "unset means same origin only"
    assert "redis_url" not in project
    assert config["modules"]["eventBus"]["resolve"] == "@medusajs/event-bus-local"
    refused = node("-e", show, env={"STORE_CORS": "*"})
    assert refused.returncode != 0 and "matches no origin" in refused.stderr


def _subcommands(help_text: str) -> list[str]:
    lines = help_text.split("subcommands:\n", 1)[1].splitlines()
    return [line.split()[0] for line in lines if line.startswith("  ")]


@needs_node
def test_simulator_offers_the_same_subcommands_as_the_real_helper(tmp_path: Path) -> None:
    real = node("bin/storefleet-medusa", "help")
    fake = subprocess.run(
        [str(FAKEBIN / "storefleet-medusa"), "help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={"PATH": "/usr/bin:/bin", "STOREFLEET_FAKE_HOME": str(tmp_path)},
    )
    assert real.returncode == fake.returncode == 0
    assert _subcommands(real.stdout) == _subcommands(fake.stdout)
    assert real.stdout == fake.stdout, "same help text, so a drift in meaning shows up too"
    used = {s.argv[1] for s in medusa_recipe(make_context())}
    assert used <= set(_subcommands(real.stdout))


@needs_node
@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (("bogus",), None, 2, "unknown subcommand"),
        (("ensure-admin",), '{"email": "a@b.c", "password": "hunter2-xyzzy"', 2, "expects"),
        (("ensure-admin",), '{"email": "a@b.c"}', 2, "expects"),
        (("set-store-name", "--name"), None, 2, "usage: set-store-name --name <name>"),
    ],
    ids=["unknown", "truncated-json", "no-password", "no-name"],
)
def test_real_helper_rejects_bad_calls_before_touching_the_database(
    args: tuple[str, ...], stdin: str | None, code: int, message: str
) -> None:
    assert NODE is not None
    result = subprocess.run(
        [NODE, "bin/storefleet-medusa", *args],
        input=stdin or "",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=IMAGE,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == code
    assert message in result.stderr
    assert "xyzzy" not in result.stderr + result.stdout
