"""Derived names (namespaces, release, Secret, labels) are always valid Kubernetes names, never collide,
and hostile store/tenant names are refused with a message saying what is allowed."""

from __future__ import annotations

import re

import pytest

from storefleet_operator import naming

pytestmark = pytest.mark.unit

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")

LONGEST_STORE = "s" + "x-" * 19 + "z"  # 40 characters
LONGEST_TENANT = "9" + "t" * 38 + "0"  # 40 characters, digits allowed at both ends


def is_label(name: str) -> bool:
    return len(name) <= 63 and DNS1123_LABEL.fullmatch(name) is not None


def test_longest_legal_names_are_at_the_limits() -> None:
    assert len(LONGEST_STORE) == naming.STORE_NAME_MAX == 40
    assert len(LONGEST_TENANT) == naming.TENANT_NAME_MAX == 40
    assert naming.validate_store_name(LONGEST_STORE) == LONGEST_STORE
    assert naming.validate_tenant_name(LONGEST_TENANT) == LONGEST_TENANT


@pytest.mark.parametrize(
    ("tenant", "store"),
    [
        pytest.param("a", "b", id="shortest"),
        pytest.param("demo", "my-shop", id="typical"),
        pytest.param(LONGEST_TENANT, LONGEST_STORE, id="longest-both"),
        pytest.param("0", LONGEST_STORE, id="digit-tenant-longest-store"),
    ],
)
def test_every_derived_name_is_valid(tenant: str, store: str) -> None:
    namespace = naming.tenant_namespace(tenant)
    assert is_label(namespace)
    store_ns = naming.store_namespace(namespace, store)
    assert is_label(store_ns), store_ns
    assert len(store_ns) <= 63
    release = naming.release_name(store)
    assert len(release) <= 53 and DNS1035_LABEL.fullmatch(release)  # Helm's limit; Services need 1035
    # The chart's longest StatefulSet suffix must still leave room for the revision hash (52 max).
    assert len(f"{release}-postgres") <= 52
    secret = naming.credentials_secret_name(store)
    assert len(secret) <= 253 and DNS1123_SUBDOMAIN.fullmatch(secret)
    for value in naming.store_labels(namespace, store, "woocommerce").values():
        assert len(value) <= 63 and LABEL_VALUE.fullmatch(value), value
    for value in naming.tenant_labels(tenant).values():
        assert len(value) <= 63 and LABEL_VALUE.fullmatch(value), value


def test_store_namespace_is_readable_and_deterministic() -> None:
    first = naming.store_namespace("tenant-demo", "my-shop")
    assert re.fullmatch(r"store-my-shop-[0-9a-f]{8}", first)
    assert naming.store_namespace("tenant-demo", "my-shop") == first


def test_same_store_name_in_many_tenants_gets_distinct_namespaces() -> None:
    namespaces = {naming.store_namespace(f"tenant-t{i}", "shop") for i in range(5000)}
    assert len(namespaces) == 5000


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param(("tenant-a", "b-c"), ("tenant-a-b", "c"), id="dash-shifted-across-the-slash"),
        pytest.param(("tenant-a", "shop"), ("tenant-b", "shop"), id="same-name-other-tenant"),
        pytest.param(("tenant-a", "shop"), ("default", "shop"), id="tenant-vs-plain-namespace"),
    ],
)
def test_different_stores_never_share_a_namespace(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert naming.store_namespace(*a) != naming.store_namespace(*b)


HOSTILE = [
    pytest.param("", "non-empty", id="empty"),
    pytest.param("A", "lowercase letters", id="uppercase"),
    pytest.param("-shop", "lowercase letters", id="leading-dash"),
    pytest.param("shop-", "lowercase letters", id="trailing-dash"),
    pytest.param("my.shop", "lowercase letters", id="dot"),
    pytest.param("my_shop", "lowercase letters", id="underscore"),
    pytest.param("café", "lowercase letters", id="unicode"),
    pytest.param("shop\n", "lowercase letters", id="trailing-newline"),
    pytest.param(" shop", "lowercase letters", id="leading-space"),
    pytest.param("a;rm -rf /", "lowercase letters", id="shell"),
    pytest.param("../etc", "lowercase letters", id="path-traversal"),
    pytest.param("$(id)", "lowercase letters", id="command-substitution"),
    pytest.param("s" * 41, "at most 40", id="one-too-long"),
    pytest.param("s" * 10_000, "at most 40", id="10k"),
    pytest.param(None, "non-empty string", id="none"),
    pytest.param(42, "non-empty string", id="int"),
]


@pytest.mark.parametrize(("name", "says"), HOSTILE)
def test_hostile_store_names_are_refused_with_a_reason(name: object, says: str) -> None:
    with pytest.raises(naming.InvalidNameError, match="store name") as caught:
        naming.validate_store_name(name)
    assert says in str(caught.value)
    assert len(str(caught.value)) < 300  # a 10 KB name is not echoed back whole


@pytest.mark.parametrize(("name", "says"), HOSTILE)
def test_hostile_tenant_names_are_refused_with_a_reason(name: object, says: str) -> None:
    with pytest.raises(naming.InvalidNameError, match="tenant name") as caught:
        naming.tenant_namespace(name)  # type: ignore[arg-type]
    assert says in str(caught.value)


def test_store_names_start_with_a_letter_but_tenant_names_may_start_with_a_digit() -> None:
    with pytest.raises(naming.InvalidNameError, match="start with a letter"):
        naming.validate_store_name("1shop")
    assert naming.tenant_namespace("1team") == "tenant-1team"


def test_every_derivation_validates_the_store_name() -> None:
    for derive in (
        naming.release_name,
        naming.credentials_secret_name,
        lambda n: naming.store_namespace("tenant-a", n),
        lambda n: naming.store_labels("tenant-a", n, "medusa"),
    ):
        with pytest.raises(naming.InvalidNameError):
            derive("Bad Name")


@pytest.mark.parametrize(
    ("namespace", "tenant"),
    [
        pytest.param("tenant-demo", "demo", id="tenant"),
        pytest.param("tenant-", None, id="empty-suffix"),
        pytest.param("tenant-Demo", None, id="invalid-suffix"),
        pytest.param("default", None, id="not-a-tenant"),
        pytest.param("store-demo-1234abcd", None, id="store-namespace"),
    ],
)
def test_tenant_from_namespace(namespace: str, tenant: str | None) -> None:
    assert naming.tenant_from_namespace(namespace) == tenant


def test_store_labels_name_the_store_its_tenant_and_the_manager() -> None:
    assert naming.store_labels("tenant-demo", "shop", "medusa") == {
        "storefleet.io/store": "shop",
        "storefleet.io/store-namespace": "tenant-demo",
        "storefleet.io/engine": "medusa",
        "storefleet.io/tenant": "demo",
        "app.kubernetes.io/managed-by": "storefleet",
    }
    # A Store outside a tenant namespace (an admin's kubectl apply) has no tenant label.
    assert "storefleet.io/tenant" not in naming.store_labels("default", "shop", "medusa")
