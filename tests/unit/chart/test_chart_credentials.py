"""Credentials reach containers only as Secret references: never rendered, never in argv or probes."""

from __future__ import annotations

import re

import pytest
from tests.unit.chart.chartkit import (
    SECRET,
    HelmFailed,
    containers,
    env_of,
    operator_values,
    render,
    render_text,
    scenario,
)

pytestmark = pytest.mark.unit

SECRET_ENV: dict[str, str] = {
    "WORDPRESS_DB_PASSWORD": "database-password",
    "MARIADB_PASSWORD": "database-password",
    "MARIADB_ROOT_PASSWORD": "database-root-password",
    "POSTGRES_PASSWORD": "database-password",
    "DATABASE_PASSWORD": "database-password",
    "JWT_SECRET": "jwt-secret",
    "COOKIE_SECRET": "cookie-secret",
}
SENSITIVE = re.compile(r"PASSWORD|SECRET|TOKEN|KEY", re.IGNORECASE)


@pytest.mark.parametrize(
    ("engine", "storefront"),
    [("woocommerce", False), ("medusa", True)],
    ids=["woocommerce", "medusa-storefront"],
)
def test_sensitive_env_comes_from_the_credentials_secret(engine: str, storefront: bool) -> None:
    seen = set()
    for c in containers(scenario(engine, storefront, "default")):
        for name, var in env_of(c.spec).items():
            if name == "DATABASE_URL":
                continue  # checked below: it embeds $(DATABASE_PASSWORD), not a value
            if SENSITIVE.search(name):
                assert "value" not in var, f"{c.id} renders {name} literally"
                assert var["valueFrom"]["secretKeyRef"] == {"name": SECRET, "key": SECRET_ENV[name]}, c.id
                seen.add(name)
    expected = (
        {"WORDPRESS_DB_PASSWORD", "MARIADB_PASSWORD", "MARIADB_ROOT_PASSWORD"}
        if engine == "woocommerce"
        else {"POSTGRES_PASSWORD", "DATABASE_PASSWORD", "JWT_SECRET", "COOKIE_SECRET"}
    )
    assert seen == expected


def test_database_url_is_composed_by_kubernetes_from_the_secret() -> None:
    for c in containers(scenario("medusa", False, "default")):
        if c.owner != "Deployment/shop-medusa":
            continue
        names = [e["name"] for e in c.spec["env"]]
        # $(VAR) expands only from variables defined earlier in the list.
        assert names.index("DATABASE_PASSWORD") < names.index("DATABASE_URL"), c.id
        url = env_of(c.spec)["DATABASE_URL"]["value"]
        assert url == "postgres://medusa:$(DATABASE_PASSWORD)@shop-postgres:5432/medusa"


@pytest.mark.parametrize(
    ("engine", "storefront"),
    [("woocommerce", False), ("medusa", True)],
    ids=["woocommerce", "medusa-storefront"],
)
def test_no_command_args_or_probe_carries_a_credential(engine: str, storefront: bool) -> None:
    """The predecessor's MariaDB probe ran `mariadb -p$ROOT`: the password showed in every `ps`."""
    for c in containers(scenario(engine, storefront, "default")):
        argv = [*c.spec.get("command", []), *c.spec.get("args", [])]
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            argv += c.spec.get(probe, {}).get("exec", {}).get("command", [])
        text = " ".join(argv)
        assert not SENSITIVE.search(text), f"{c.id}: {text}"
        assert not re.search(r"(^|\s)-p\S", text), f"{c.id}: {text}"


def test_a_password_given_as_a_value_is_refused_not_rendered() -> None:
    # There is no value that takes a password; a stray one fails the install instead of landing in a
    # manifest (and in the Helm release Secret, readable to anyone who can read the namespace's Secrets).
    with pytest.raises(HelmFailed) as refused:
        render(operator_values("woocommerce", credentials={"adminPassword": "hunter2-sentinel"}))
    assert "additional properties 'adminPassword' not allowed" in str(refused.value)


def test_rendered_output_never_contains_the_secrets_keys_as_values() -> None:
    text = render_text(operator_values("medusa", storefront=True))
    # Keys appear only as `key: <name>` under secretKeyRef.
    for key in set(SECRET_ENV.values()):
        for line in text.splitlines():
            if key in line:
                assert line.strip() == f"key: {key}", line
