"""The recording simulators in deploy/localcluster/fakebin, run as the programs they are.

They stand in for WP-CLI and the Medusa image's helper on the local control plane, so what they
record and how truthfully they answer is what every cluster-tier engine test relies on.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from tests.unit.engines.enginekit import FAKEBIN

pytestmark = pytest.mark.unit


class Tools:
    """Runs ``wp``/``storefleet-medusa`` the way kwok's exec does: env identity, log next to state."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.log = run_dir / "exec-log.jsonl"

    def env(self, namespace: str) -> dict[str, str]:
        return {
            "PATH": f"{FAKEBIN}:/usr/bin:/bin",
            "STOREFLEET_NAMESPACE": namespace,
            "STOREFLEET_POD": f"{namespace}-pod",
            "STOREFLEET_CONTAINER": "tools",
            "STOREFLEET_EXEC_LOG": str(self.log),
        }

    def __call__(self, *argv: str, ns: str = "shop", stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(argv),
            input=stdin,
            env=self.env(ns),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def faults(self, *rules: dict[str, Any]) -> None:
        (self.run_dir / "faults.json").write_text(json.dumps(list(rules)))


@pytest.fixture
def tools(tmp_path: Path) -> Tools:
    return Tools(tmp_path)


DEFAULT_PASSWORD = "pw-123"


def install(tools: Tools, ns: str = "shop", password: str = DEFAULT_PASSWORD) -> None:
    done = tools(
        "wp",
        "core",
        "install",
        "--url=http://s.test",
        "--title=S",
        "--admin_user=admin",
        "--admin_email=a@s.test",
        "--prompt=admin_password",
        "--quiet",
        ns=ns,
        stdin=password + "\n",
    )
    assert done.returncode == 0, done.stderr


def test_every_call_is_logged_with_identity_and_only_a_hash_of_stdin(tools: Tools) -> None:
    install(tools, password="correct horse")
    tools("wp", "core", "is-installed")

    first, second = tools.records()
    assert set(first) == {"ts", "namespace", "pod", "container", "argv", "stdin_sha256", "exit"}
    assert (first["namespace"], first["pod"], first["container"]) == ("shop", "shop-pod", "tools")
    assert first["argv"][:3] == ["wp", "core", "install"]
    assert first["stdin_sha256"] == hashlib.sha256(b"correct horse\n").hexdigest()
    assert (second["argv"], second["stdin_sha256"], second["exit"]) == (["wp", "core", "is-installed"], None, 0)
    everything = "".join(p.read_text() for p in tools.run_dir.rglob("*") if p.is_file())
    assert "correct horse" not in everything


@pytest.mark.parametrize(
    ("argv", "exit_before", "exit_after"),
    [
        (("wp", "core", "is-installed"), 1, 0),
        (("wp", "plugin", "is-installed", "woocommerce"), 1, 0),
        (("wp", "plugin", "is-active", "woocommerce"), 1, 0),
        (("wp", "theme", "is-active", "astra"), 1, 0),
        (("wp", "option", "get", "woocommerce_currency"), 1, 0),
    ],
    ids=["core-installed", "plugin-installed", "plugin-active", "theme-active", "option-get"],
)
def test_wp_probes_tell_the_truth(tools: Tools, argv: tuple[str, ...], exit_before: int, exit_after: int) -> None:
    assert tools(*argv).returncode == exit_before
    install(tools)
    for command in (
        ("wp", "plugin", "install", "/zips/woocommerce.9.5.2.zip"),
        ("wp", "plugin", "activate", "woocommerce"),
        ("wp", "theme", "install", "astra"),
        ("wp", "theme", "activate", "astra"),
    ):
        assert tools(*command).returncode == 0
    assert tools(*argv).returncode == exit_after


def test_sample_product_is_listed_only_after_it_was_created(tools: Tools) -> None:
    install(tools)
    tools("wp", "plugin", "install", "woocommerce", "--version=9.5.2")
    tools("wp", "plugin", "activate", "woocommerce")
    probe = ("wp", "post", "list", "--post_type=product", "--name=sample-product", "--post_status=any", "--field=ID")
    assert tools(*probe).stdout == ""
    created = tools(
        "wp",
        "wc",
        "product",
        "create",
        "--name=Sample Product",
        "--slug=sample-product",
        "--regular_price=19.99",
        "--user=admin",
        "--porcelain",
    )
    assert created.returncode == 0
    assert tools(*probe).stdout.strip() == created.stdout.strip()


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (("wp", "wc", "tool", "run", "install_pages"), "Error: Sorry, you are not allowed to do that."),
        (("wp", "wc", "tool", "run", "install_pages", "--user=mallory"), "Error: Invalid user ID, email or login"),
        (("wp", "option", "update", "x", "{not json", "--format=json"), "Error: Invalid JSON"),
        (("wp", "frobnicate"), "Error: 'frobnicate' is not a registered wp command."),
        (("wp", "plugin", "activate", "hello-dolly"), "Error: The 'hello-dolly' plugin could not be found."),
    ],
    ids=["wc-without-user", "wc-unknown-user", "bad-json-option", "unknown-command", "missing-plugin"],
)
def test_wp_rejects_malformed_calls_like_wp_cli(tools: Tools, argv: tuple[str, ...], error: str) -> None:
    install(tools)
    tools("wp", "plugin", "install", "woocommerce")
    tools("wp", "plugin", "activate", "woocommerce")
    result = tools(*argv)
    assert result.returncode == 1
    assert result.stderr.startswith(error)


def test_wp_refuses_most_commands_before_core_install(tools: Tools) -> None:
    result = tools("wp", "option", "get", "blogname")
    assert result.returncode == 1
    assert "The site you have requested is not installed" in result.stderr


def test_wp_cli_echoes_a_prompted_password_unless_quiet(tools: Tools) -> None:
    # The real WP-CLI logs the completed command line after --prompt; the recipe passes --quiet.
    loud = tools(
        "wp",
        "core",
        "install",
        "--url=http://s.test",
        "--title=S",
        "--admin_user=admin",
        "--admin_email=a@s.test",
        "--prompt=admin_password",
        stdin="pw-visible\n",
    )
    assert "--admin_password=pw-visible" in loud.stdout


def test_state_is_per_namespace(tools: Tools) -> None:
    install(tools, ns="one")
    assert tools("wp", "core", "is-installed", ns="one").returncode == 0
    assert tools("wp", "core", "is-installed", ns="two").returncode == 1


def test_faults_fire_the_given_number_of_times_in_matching_namespaces(tools: Tools) -> None:
    tools.faults(
        {
            "namespace": "t-*",
            "argv_prefix": ["storefleet-medusa", "health"],
            "exit": 7,
            "stderr": "ECONNREFUSED\n",
            "times": 2,
        }
    )
    runs = [tools("storefleet-medusa", "health", ns="t-a") for _ in range(3)]
    assert [(r.returncode, r.stderr) for r in runs] == [(7, "ECONNREFUSED\n"), (7, "ECONNREFUSED\n"), (0, "")]
    assert tools("storefleet-medusa", "health", ns="t-b").returncode == 7, "counted per namespace"
    assert tools("storefleet-medusa", "health", ns="other").returncode == 0, "namespace glob must match"
    assert tools("storefleet-medusa", "verify", ns="t-c").returncode == 0, "argv prefix must match"
    assert [r["exit"] for r in tools.records()[:3]] == [7, 7, 0]


def test_a_fault_without_times_fails_every_call(tools: Tools) -> None:
    tools.faults({"argv_prefix": ["wp", "config", "path"], "exit": 1, "stderr": "Error: 'wp-config.php' not found.\n"})
    assert {tools("wp", "config", "path").returncode for _ in range(3)} == {1}


def test_a_delay_without_an_exit_slows_the_call_and_then_runs_it(tools: Tools) -> None:
    tools.faults({"argv_prefix": ["storefleet-medusa", "verify"], "delay_seconds": 0.5, "times": 1})
    started = time.monotonic()
    slow = tools("storefleet-medusa", "verify")
    slow_seconds = time.monotonic() - started
    started = time.monotonic()
    quick = tools("storefleet-medusa", "verify")
    quick_seconds = time.monotonic() - started
    assert (slow.returncode, quick.returncode) == (0, 0)
    assert slow.stdout == quick.stdout != "", "the slowed call still does its work"
    assert slow_seconds >= 0.5, slow_seconds
    assert slow_seconds - quick_seconds >= 0.4, "only the first call (times: 1) waits"


def test_medusa_ensure_admin_is_idempotent_and_never_echoes_its_input(tools: Tools) -> None:
    doc = json.dumps({"email": "Owner@Shop.test", "password": "s3cret-xyzzy"})
    first = tools("storefleet-medusa", "ensure-admin", stdin=doc)
    again = tools("storefleet-medusa", "ensure-admin", stdin=doc)
    assert (first.returncode, first.stdout) == (0, "created admin user owner@shop.test\n")
    assert (again.returncode, again.stdout) == (0, "admin user owner@shop.test already exists\n")
    bad = tools("storefleet-medusa", "ensure-admin", stdin='{"email": "x@y.z", "password": "s3cret-xyzzy"')
    assert bad.returncode == 2 and "xyzzy" not in bad.stderr + bad.stdout


def test_medusa_starts_seeded_and_verify_reports_counts(tools: Tools) -> None:
    result = tools("storefleet-medusa", "verify")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"regions": 1, "shipping_options": 2, "products": 4}
    assert tools("storefleet-medusa", "seed-if-empty").stdout == "database has 4 products; not seeding\n"


@pytest.mark.parametrize(
    "args",
    [("--name",), ("--name", "a", "b"), ("--title", "x"), ("--name", "  ")],
    ids=["no-value", "extra", "wrong-flag", "blank"],
)
def test_medusa_set_store_name_takes_exactly_one_name(tools: Tools, args: tuple[str, ...]) -> None:
    assert tools("storefleet-medusa", "set-store-name", *args).returncode == 2


def test_wp_works_by_hand_without_kwok_env(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "STOREFLEET_FAKE_HOME": str(tmp_path)}
    result = subprocess.run(
        [str(FAKEBIN / "wp"), "core", "is-installed"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    logged = json.loads(result.stderr.removeprefix("[exec-log] "))
    assert (logged["namespace"], logged["argv"]) == ("local", ["wp", "core", "is-installed"])
    assert (tmp_path / "state" / "local" / "state.json").exists()
