"""Store names and passwords with shell and parser metacharacters stay data.

A display name is exactly one argv element (its own, or the value of one ``--title=``), a password
is never in any argv and reaches the tool only on stdin. Inputs a tool cannot carry safely are refused
with a message that does not repeat them. The last tests push the hostile values through the real
simulators (no shell anywhere) and read back what the tool stored.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from tests.unit.engines.enginekit import SimulatorExecutor, make_context

from storefleet_operator.engines import PodRef, SetupStep, UnsafeSetupInput, run_recipe
from storefleet_operator.engines.medusa import medusa_recipe
from storefleet_operator.engines.woocommerce import woocommerce_recipe

pytestmark = pytest.mark.unit

TEN_KB = "ä€" * 3413 + "x"  # 10 KB of UTF-8 (mixed widths)

HOSTILE_NAMES = {
    "double-quotes": 'My "Best" Shop',
    "single-quotes": "Bob's 'Shop'",
    "command-substitution": "$(touch /tmp/pwned)",
    "backticks": "`id`",
    "semicolon": "shop; rm -rf /",
    "comma-and-equals": "a,b=c --user=root",
    "flag-lookalike": "--require=/tmp/evil.php",
    "newlines": "line one\nline two\r\n",
    "unicode": "Ünïcødé ショップ 🛒",
    "ten-kb": TEN_KB,
}

HOSTILE_PASSWORDS = {
    "double-quotes": 'pa"ss"word',
    "command-substitution": "$(curl evil)",
    "backticks": "`reboot`",
    "semicolon": "pw; echo owned",
    "comma-and-equals": "pw,networkPolicy.enabled=false",
    "flag-lookalike": "--admin_password=other",
    "unicode": "pässwörd-パスワード",
    "spaces": "  padded password  ",
}
# WP-CLI reads a prompted value as one line of at most 1024 bytes, so these cannot reach it intact.
WP_UNCARRIABLE_PASSWORDS = {
    "newline": "first\nsecond",
    "carriage-return": "first\rsecond",
    "ten-kb": TEN_KB,
}


def _occurrences(value: str, argvs: list[tuple[str, ...]]) -> list[str]:
    return [element for argv in argvs for element in argv if value in element]


def _all_argvs(steps: tuple[SetupStep, ...]) -> list[tuple[str, ...]]:
    return [s.argv for s in steps] + [s.probe.argv for s in steps if s.probe]


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_display_name_is_one_argv_element(name: str) -> None:
    wp_steps = woocommerce_recipe(make_context(display_name=name))
    assert _occurrences(name, _all_argvs(wp_steps)) == [f"--title={name}"]
    medusa_steps = medusa_recipe(make_context(display_name=name))
    assert _occurrences(name, _all_argvs(medusa_steps)) == [name]
    set_name = next(s for s in medusa_steps if s.name == "set-store-name")
    assert set_name.argv == ("storefleet-medusa", "set-store-name", "--name", name)


@pytest.mark.parametrize("password", HOSTILE_PASSWORDS.values(), ids=HOSTILE_PASSWORDS.keys())
def test_password_never_in_argv_only_on_stdin(password: str) -> None:
    wp_steps = woocommerce_recipe(make_context(password=password))
    medusa_steps = medusa_recipe(make_context(password=password))
    for steps in (wp_steps, medusa_steps):
        assert _occurrences(password, _all_argvs(steps)) == []
        assert all(password not in repr(s) and password not in str(s) for s in steps)
    [wp_stdin] = [s.stdin for s in wp_steps if s.stdin is not None]
    assert wp_stdin == password + "\n"
    [medusa_stdin] = [s.stdin for s in medusa_steps if s.stdin is not None]
    assert medusa_stdin is not None and json.loads(medusa_stdin)["password"] == password


@pytest.mark.parametrize(
    "password", [*WP_UNCARRIABLE_PASSWORDS.values(), "nul\x00byte"], ids=[*WP_UNCARRIABLE_PASSWORDS.keys(), "nul"]
)
def test_woocommerce_refuses_passwords_wp_cli_cannot_read_without_echoing_them(password: str) -> None:
    with pytest.raises(UnsafeSetupInput) as caught:
        woocommerce_recipe(make_context(password=password))
    assert password not in str(caught.value)
    assert "password" in str(caught.value)


@pytest.mark.parametrize("password", WP_UNCARRIABLE_PASSWORDS.values(), ids=WP_UNCARRIABLE_PASSWORDS.keys())
def test_medusa_carries_any_password_in_its_json_stdin(password: str) -> None:
    steps = medusa_recipe(make_context(password=password))
    [stdin] = [s.stdin for s in steps if s.stdin is not None]
    assert stdin is not None and json.loads(stdin)["password"] == password
    assert _occurrences(password, _all_argvs(steps)) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("display_name", "nul\x00name"),
        ("display_name", "   "),
        ("email", "not-an-email"),
        ("email", "a@b.co --user=root"),
        ("username", "admin;drop"),
        ("site_url", "javascript:alert(1)"),
        ("currency", "usd; x"),
    ],
)
def test_unsafe_values_are_refused_by_name(field: str, value: str) -> None:
    with pytest.raises(UnsafeSetupInput):
        woocommerce_recipe(make_context(**{field: value}))


async def test_hostile_name_and_password_reach_wp_intact(simulators: SimulatorExecutor) -> None:
    name = HOSTILE_NAMES["command-substitution"] + HOSTILE_NAMES["double-quotes"] + "\n;`id`"
    password = HOSTILE_PASSWORDS["comma-and-equals"] + "$(x)`y`"
    steps = woocommerce_recipe(make_context(display_name=name, password=password))[:2]
    pod = PodRef("hostile-wp", "wp-0")
    await run_recipe(steps, simulators, set(), lambda _: None, pod=pod)

    state = json.loads((simulators.run_dir / "state" / "hostile-wp" / "state.json").read_text())
    assert state["wp"]["options"]["blogname"] == name
    assert state["wp"]["users"]["admin"]["pass_sha256"] == hashlib.sha256(password.encode()).hexdigest()
    on_disk = "".join(p.read_text() for p in simulators.run_dir.rglob("*") if p.is_file())
    assert password not in on_disk, "the simulators must never store or log a password"


async def test_hostile_name_reaches_medusa_intact(simulators: SimulatorExecutor) -> None:
    name = HOSTILE_NAMES["flag-lookalike"] + " " + HOSTILE_NAMES["unicode"]
    steps = medusa_recipe(make_context(display_name=name, password=TEN_KB))
    pod = PodRef("hostile-medusa", "medusa-0")
    await run_recipe(steps, simulators, set(), lambda _: None, pod=pod)

    state = json.loads((simulators.run_dir / "state" / "hostile-medusa" / "state.json").read_text())
    assert state["storefleet-medusa"]["store_name"] == name
    assert list(state["storefleet-medusa"]["admins"]) == ["owner@shop.test"]
