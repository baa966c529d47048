"""The rules behind /api/v1/stores, without a cluster: store names, what a create request becomes,
how a quota refusal reads, which stores a filter keeps, when a progress stream may end."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from storefleet_api.models.stores import StoreCreateRequest, is_settled, phase_of, store_out
from storefleet_api.services import limits
from storefleet_api.services.store_names import StoreNameError, check_store_name
from storefleet_api.services.store_rules import matches, new_store, quota_refusal, store_id_is_valid
from storefleet_api.services.store_stream import sse
from storefleet_operator.models import Store

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("classic", id="ass-inside-a-word"),
        pytest.param("skill", id="kill-inside-a-word"),
        pytest.param("drugstore", id="store-inside-a-word"),
        pytest.param("essex-tea", id="sex-inside-a-word"),
        pytest.param("scunthorpe-shop", id="the-scunthorpe-problem"),
        pytest.param("my-store", id="reserved-word-as-a-part"),
        pytest.param("admin-tools-shop", id="admin-as-a-part"),
        pytest.param("abc", id="three-characters"),
        pytest.param("s" + "x" * 39, id="forty-characters"),
        pytest.param("shop42", id="digits"),
    ],
)
def test_innocent_names_pass(name: str) -> None:
    assert check_store_name(name) == name


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        pytest.param("admin", "reserved", id="reserved-admin"),
        pytest.param("www", "reserved", id="reserved-www"),
        pytest.param("store", "reserved", id="reserved-store"),
        pytest.param("default", "reserved", id="reserved-default"),
        pytest.param("storefleet", "reserved", id="reserved-storefleet"),
        pytest.param("kube-proxy", "reserved", id="reserved-kube-prefix"),
        pytest.param("storefleet-ops", "reserved", id="reserved-storefleet-prefix"),
        pytest.param("fuck-shop", "word we do not allow", id="profanity-first-word"),
        pytest.param("best-shit-ever", "word we do not allow", id="profanity-middle-word"),
        pytest.param("ab", "too short", id="too-short"),
        pytest.param("my--shop", "single '-'", id="double-dash"),
        pytest.param("1shop", "start with a letter", id="leading-digit"),
        pytest.param("Shop", "lowercase", id="uppercase"),
        pytest.param("shop-", "end with a letter or digit", id="trailing-dash"),
        pytest.param("s" * 41, "at most 40", id="forty-one-characters"),
        pytest.param("shop;rm -rf", "lowercase", id="shell"),
        pytest.param("../etc", "lowercase", id="path-traversal"),
        pytest.param("café", "lowercase", id="unicode"),
    ],
)
def test_refused_names_say_why(name: str, reason: str) -> None:
    with pytest.raises(StoreNameError) as refused:
        check_store_name(name)
    assert reason in str(refused.value)
    assert len(str(refused.value)) < 300


def test_an_installation_can_block_more_words_as_whole_words() -> None:
    with pytest.raises(StoreNameError):
        check_store_name("acme-rival", extra_blocked=["Rival "])
    assert check_store_name("arrivals", extra_blocked=["rival"]) == "arrivals"


def request(**fields: Any) -> StoreCreateRequest:
    return StoreCreateRequest.model_validate({"name": "coffee-shop", "engine": "woocommerce"} | fields)


def test_a_create_request_becomes_the_store_the_operator_expects() -> None:
    store = new_store(
        request(display_name="Coffee, & Co.", theme="astra"), namespace="tenant-a", user_id="user-1", request_id="r1"
    )
    assert store.manifest() == {
        "apiVersion": "storefleet.io/v1alpha1",
        "kind": "Store",
        "metadata": {
            "name": "coffee-shop",
            "namespace": "tenant-a",
            "annotations": {"storefleet.io/requested-by": "user-1", "storefleet.io/request-id": "r1"},
            # The operator's finalizer from the first moment: a quick delete can never orphan anything.
            "finalizers": ["storefleet.io/cleanup"],
        },
        "spec": {"engine": "woocommerce", "displayName": "Coffee, & Co.", "woocommerce": {"theme": "astra"}},
    }
    medusa = new_store(
        request(engine="medusa", storefront=False), namespace="tenant-a", user_id="user-1", request_id=None
    )
    assert medusa.manifest()["spec"] == {
        "engine": "medusa",
        "displayName": "coffee-shop",  # the name, when no display name is given
        "medusa": {"storefront": {"enabled": False}},
    }


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"engine": "medusa", "theme": "astra"}, id="theme-on-medusa"),
        pytest.param({"storefront": True}, id="storefront-on-woocommerce"),
        pytest.param({"password": "hunter2hunter2"}, id="no-password-field"),
        pytest.param({"engine": "shopify"}, id="unknown-engine"),
        pytest.param({"theme": "twentytwenty"}, id="unknown-theme"),
        pytest.param({"name": "x" * 64}, id="name-over-63"),
        pytest.param({"displayName": "x" * 81}, id="display-name-over-80"),
    ],
)
def test_create_requests_that_cannot_be_served_are_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        request(**fields)


@pytest.mark.parametrize(
    "display_name",
    [pytest.param("line\nbreak", id="newline"), pytest.param("   ", id="blank"), pytest.param("a\x00b", id="nul")],
)
def test_display_names_follow_the_operators_schema(display_name: str) -> None:
    with pytest.raises(ValidationError):
        new_store(request(display_name=display_name), namespace="tenant-a", user_id="u", request_id=None)


def test_camel_case_display_name_is_accepted_too() -> None:
    assert request(displayName="Shop").display_name == "Shop"


QUOTA = (
    'stores.storefleet.io "x" is forbidden: exceeded quota: storefleet-stores, requested: '
    "count/stores.storefleet.io=1, used: count/stores.storefleet.io=2, limited: count/stores.storefleet.io=2"
)


def test_a_quota_refusal_reads_as_the_store_limit() -> None:
    refusal = quota_refusal(QUOTA)
    assert refusal is not None
    assert refusal.describe(None).startswith(
        "store limit reached: 2 of 2 stores; delete one or ask an admin to raise the limit"
    )


@pytest.mark.parametrize(
    "message",
    [
        pytest.param('stores.storefleet.io "x" is forbidden: User "y" cannot create resource', id="rbac"),
        pytest.param("exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2", id="other-quota"),
    ],
)
def test_other_refusals_are_not_mistaken_for_the_store_limit(message: str) -> None:
    assert quota_refusal(message) is None


def test_a_limit_of_zero_says_so() -> None:
    refusal = quota_refusal(QUOTA.replace("limited: count/stores.storefleet.io=2", "limited: x=1"))
    assert refusal is not None and refusal.limit is None
    assert "2 of 5" in refusal.describe(5)
    assert "limit is 0" in quota_refusal(QUOTA.replace("=2", "=0")).describe(None)  # type: ignore[union-attr]


def store(phase: str | None = None, **metadata: Any) -> Store:
    body: dict[str, Any] = {
        "apiVersion": "storefleet.io/v1alpha1",
        "kind": "Store",
        "metadata": {"name": "shop", "namespace": "tenant-a", "generation": 2, **metadata},
        "spec": {"engine": "medusa", "displayName": "Shop"},
        "status": {"observedGeneration": 2} | ({"phase": phase} if phase else {}),
    }
    return Store.from_body(body)


def test_phase_shown_before_the_operator_reports_and_while_deleting() -> None:
    assert phase_of(store()) == "Requested"
    assert phase_of(store("Ready", deletionTimestamp="2026-01-01T00:00:00Z")) == "Deleting"
    out = store_out(store("Provisioning"))
    assert (out.id, out.tenant, out.phase, out.storefront, out.theme) == ("shop", "a", "Provisioning", True, None)


@pytest.mark.parametrize(
    ("subject", "settled"),
    [
        pytest.param(store("Ready"), True, id="ready"),
        pytest.param(store("Failed"), True, id="failed"),
        pytest.param(store("Provisioning"), False, id="provisioning"),
        pytest.param(store("Ready", generation=3), False, id="ready-for-an-older-spec"),
        pytest.param(
            store("Failed", annotations={"storefleet.io/requested-at": "2026-01-01T00:00:00Z"}),
            False,
            id="failed-before-the-retry-request",
        ),
        pytest.param(store("Ready", deletionTimestamp="2026-01-01T00:00:00Z"), False, id="deleting"),
    ],
)
def test_a_stream_ends_only_on_an_outcome_for_the_current_request(subject: Store, settled: bool) -> None:
    assert is_settled(subject) is settled


def test_filters_keep_what_they_say() -> None:
    ready = store("Ready")
    assert matches(ready, phase="Ready", engine="medusa")
    assert not matches(ready, phase="Failed", engine=None)
    assert not matches(ready, phase=None, engine="woocommerce")


@pytest.mark.parametrize(
    ("store_id", "valid"),
    [("shop", True), ("..", False), ("a" * 41, False), ("shop%2Fstatus", False), ("SHOP", False)],
)
def test_ids_that_cannot_be_store_names_never_reach_kubernetes(store_id: str, valid: bool) -> None:
    assert store_id_is_valid(store_id) is valid


def test_an_sse_message_is_one_data_line_whatever_the_text() -> None:
    message = sse("status", {"message": "line one\nline two\r\n: not a comment"}, event_id="42")
    assert message.endswith("\n\n")
    lines = message[:-2].split("\n")
    assert lines[:2] == ["event: status", "id: 42"]
    assert len(lines) == 3 and lines[2].startswith("data: {")


def test_the_cooldown_runs_from_the_last_creation() -> None:
    counter, _ = limits.start_cooldown(None, 1000.0, seconds=30)
    assert limits.cooldown_verdict(counter, 1010.0) == limits.Verdict(False, 20)
    assert limits.cooldown_verdict(counter, 1030.0).allowed
    assert limits.cooldown_verdict(None, 0.0).allowed
