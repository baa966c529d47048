"""The credentials Secret: random, URL-safe, the keys the chart needs, readable by exactly its owner."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from tests.unit.operator.storekit import store

from storefleet_operator.store import credentials as c

pytestmark = pytest.mark.unit

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")
GENERATED = ("admin-password", "database-password", "database-root-password", "jwt-secret", "cookie-secret")


@pytest.mark.parametrize(
    ("engine", "keys"),
    [
        pytest.param(
            "woocommerce",
            {"admin-username", "admin-email", "admin-password", "database-password", "database-root-password"},
            id="woocommerce",
        ),
        pytest.param(
            "medusa",
            {"admin-username", "admin-email", "admin-password", "database-password", "jwt-secret", "cookie-secret"},
            id="medusa",
        ),
    ],
)
def test_each_engine_gets_the_keys_its_chart_reads(engine: str, keys: set[str]) -> None:
    values = c.generate_credentials(engine, "owner@example.com")  # type: ignore[arg-type]
    assert set(values) == keys
    assert values["admin-username"] == "admin"
    assert values["admin-email"] == "owner@example.com"


def test_generated_values_are_url_safe_long_and_different_every_time() -> None:
    first = c.generate_credentials("medusa", "a@b.co")
    second = c.generate_credentials("medusa", "a@b.co")
    for key in ("admin-password", "database-password", "jwt-secret", "cookie-secret"):
        assert URL_SAFE.fullmatch(first[key]), key
        assert len(first[key]) >= 24
        assert first[key] != second[key]
    # database-password goes into DATABASE_URL as-is: quoting must not change it.
    assert urllib.parse.quote(first["database-password"], safe="") == first["database-password"]


@pytest.mark.parametrize(
    ("spec", "email"),
    [
        pytest.param({"adminEmail": "owner@shop.example"}, "owner@shop.example", id="from-spec"),
        pytest.param({}, "admin@shop-alice.localhost", id="default-from-host"),
    ],
)
def test_admin_email(spec: dict[str, str], email: str) -> None:
    assert c.admin_email(store(**spec), "shop-alice.localhost") == email


def test_secret_manifest_is_labelled_and_in_the_store_namespace() -> None:
    manifest = c.secret_manifest(store(), "store-shop-1", {"admin-password": "x"})
    assert manifest["metadata"]["name"] == "shop-credentials"
    assert manifest["metadata"]["namespace"] == "store-shop-1"
    assert manifest["metadata"]["labels"]["storefleet.io/store"] == "shop"
    assert manifest["metadata"]["labels"]["storefleet.io/tenant"] == "alice"


def test_the_reader_role_allows_get_on_exactly_the_credentials_secret() -> None:
    role = c.reader_role(store(), "store-shop-1")
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["shop-credentials"], "verbs": ["get"]}
    ]


def test_the_reader_binding_names_the_tenant_service_account_and_the_owners_once() -> None:
    tenant = {
        "spec": {
            "owners": [
                {"kind": "User", "name": "alice@example.com"},
                {"kind": "Group", "name": "ops"},
                {"kind": "User", "name": "alice@example.com"},
                {"kind": "Robot", "name": "x"},
            ]
        }
    }
    binding = c.reader_binding(store(), "store-shop-1", c.tenant_owners(tenant))
    assert binding["roleRef"]["name"] == "shop-credentials-reader"
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "storefleet-tenant", "namespace": "tenant-alice"},
        {"kind": "User", "name": "alice@example.com", "apiGroup": "rbac.authorization.k8s.io"},
        {"kind": "Group", "name": "ops", "apiGroup": "rbac.authorization.k8s.io"},
    ]
    assert c.tenant_owners(None) == []
