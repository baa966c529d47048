"""Store/Tenant parsing: what a spec may say, and errors a person can act on (from_body)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from storefleet_operator.models import (
    HISTORY_LIMIT,
    HistoryEntry,
    InvalidResourceError,
    StepStatus,
    Store,
    StoreSpec,
    Tenant,
    append_history,
)
from storefleet_operator.models.store import ENGINE_IMMUTABLE, MEDUSA_ONLY, WOOCOMMERCE_ONLY

pytestmark = pytest.mark.unit

SAMPLES = Path(__file__).resolve().parents[3] / "crds" / "samples"
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def body(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "storefleet.io/v1alpha1",
        "kind": "Store",
        "metadata": {"name": "my-shop", "namespace": "tenant-demo", "generation": 1},
        "spec": {"engine": "woocommerce", "displayName": "My Shop", **spec},
    }


@pytest.mark.parametrize("sample", ["10-store-woocommerce.yaml", "20-store-medusa.yaml"])
def test_store_samples_parse(sample: str) -> None:
    store = Store.from_body(yaml.safe_load((SAMPLES / sample).read_text()))
    assert store.metadata.namespace == "tenant-demo"


def test_tenant_sample_parses() -> None:
    docs = yaml.safe_load_all((SAMPLES / "00-tenant-demo.yaml").read_text())
    tenant = Tenant.from_body(next(d for d in docs if d["kind"] == "Tenant"))
    assert tenant.metadata.name == "demo"
    assert tenant.namespace == "tenant-demo"
    assert [(o.kind, o.name) for o in tenant.spec.owners] == [("User", "demo@example.com")]


def test_omitted_engine_options_get_their_defaults() -> None:
    woo = Store.from_body(body()).spec
    assert woo.woocommerce is None
    assert woo.woocommerce_options().theme == "storefront"
    medusa = Store.from_body(body(engine="medusa")).spec
    assert medusa.medusa_options().storefront.enabled is True
    assert Store.from_body(body(engine="medusa", medusa={})).spec.medusa_options().storefront.enabled


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Café Zoë", id="accents"),
        pytest.param("東京ストア", id="cjk"),
        pytest.param("متجر القهوة", id="rtl"),
        pytest.param("🛒 Shop", id="emoji"),
        pytest.param("é" * 80, id="80-chars"),
        pytest.param('Tom\'s "Shop" & <Co>; $(id)', id="punctuation-is-just-text"),
    ],
)
def test_display_name_accepts_any_visible_unicode(name: str) -> None:
    assert Store.from_body(body(displayName=name)).spec.display_name == name


ERRORS = [
    pytest.param({"engine": None}, "spec.engine: Input should be 'woocommerce' or 'medusa'", id="engine-null"),
    pytest.param(
        {"engine": "magento"}, "spec.engine: Input should be 'woocommerce' or 'medusa' (got 'magento')", id="engine"
    ),
    pytest.param({"displayName": ""}, "spec.displayName: string should have at least 1 character", id="empty"),
    pytest.param({"displayName": "   "}, "spec.displayName: must contain visible text", id="blank"),
    pytest.param({"displayName": "My\nShop"}, "no control characters (newlines, tabs, ...) (got 'My\\nShop')", id="nl"),
    pytest.param({"displayName": "Shop\x00"}, "spec.displayName: must contain visible text", id="nul"),
    pytest.param({"displayName": "Shop\u0085"}, "spec.displayName: must contain visible text", id="c1-control"),
    pytest.param({"displayName": "é" * 81}, "at most 80 characters (got 81 characters)", id="81-chars"),
    pytest.param({"adminEmail": "not-an-email"}, "spec.adminEmail: must look like an email address", id="email"),
    pytest.param({"adminEmail": "a b@c.de"}, "spec.adminEmail: must look like an email address", id="email-space"),
    pytest.param({"displayname": "x"}, "spec.displayname: is not a known field (check its spelling", id="typo"),
    pytest.param(
        {"woocommerce": {"theme": "divi"}}, "spec.woocommerce.theme: Input should be 'storefront'", id="theme"
    ),
    pytest.param({"engine": "medusa", "woocommerce": {}}, WOOCOMMERCE_ONLY, id="woo-options-on-medusa"),
    pytest.param({"medusa": {"storefront": {"enabled": True}}}, MEDUSA_ONLY, id="medusa-options-on-woo"),
    pytest.param({"medusa": {"storefront": {"enabled": "maybe"}}}, "spec.medusa.storefront.enabled: ", id="bool"),
]


@pytest.mark.parametrize(("spec", "says"), ERRORS)
def test_from_body_says_which_field_and_what_is_wrong(spec: dict[str, Any], says: str) -> None:
    with pytest.raises(InvalidResourceError) as caught:
        Store.from_body(body(**spec))
    message = str(caught.value)
    assert message.startswith("Store tenant-demo/my-shop is invalid: ")
    assert says in message
    assert "pydantic" not in message and "^" not in message  # no library URLs, no raw regexes


def test_cross_field_messages_are_not_prefixed_twice() -> None:
    with pytest.raises(InvalidResourceError) as caught:
        Store.from_body(body(engine="medusa", woocommerce={}))
    assert str(caught.value) == f"Store tenant-demo/my-shop is invalid: {WOOCOMMERCE_ONLY}"


def test_every_problem_is_listed() -> None:
    bad = body(engine="magento", displayName="")
    del bad["metadata"]["namespace"]
    with pytest.raises(InvalidResourceError) as caught:
        Store.from_body(bad)
    paths = [p.path for p in caught.value.problems]
    assert paths == ["metadata.namespace", "spec.engine", "spec.displayName"]
    assert str(caught.value).startswith("Store my-shop is invalid: metadata.namespace: is required; ")


@pytest.mark.parametrize(
    ("metadata", "says"),
    [
        pytest.param({"name": "My_Shop", "namespace": "t"}, "store name 'My_Shop' is invalid", id="charset"),
        pytest.param({"name": "s" * 41, "namespace": "t"}, "at most 40 are allowed because", id="too-long"),
        pytest.param({"namespace": "t"}, "metadata.name: is required", id="missing"),
    ],
)
def test_store_names_that_cannot_derive_a_namespace_are_refused(metadata: dict[str, Any], says: str) -> None:
    bad = body()
    bad["metadata"] = metadata
    with pytest.raises(InvalidResourceError, match=r"metadata\.name") as caught:
        Store.from_body(bad)
    assert says in str(caught.value)


def test_hostile_10k_value_is_not_echoed_back_whole() -> None:
    with pytest.raises(InvalidResourceError) as caught:
        Store.from_body(body(displayName="\x1b[31m" + "A" * 10_000))
    assert len(str(caught.value)) < 400


@pytest.mark.parametrize(
    "bad",
    [pytest.param([], id="list"), pytest.param("spec: {}", id="string"), pytest.param(None, id="none")],
)
def test_non_object_bodies_are_refused(bad: Any) -> None:
    with pytest.raises(InvalidResourceError, match="not a JSON object"):
        Store.from_body(bad)


def test_from_body_reads_kubernetes_spelling_only() -> None:
    snake = body()
    snake["spec"] = {"engine": "woocommerce", "display_name": "My Shop"}
    with pytest.raises(InvalidResourceError) as caught:
        Store.from_body(snake)
    assert {p.path for p in caught.value.problems} == {"spec.displayName", "spec.display_name"}


def test_tenant_errors_are_readable() -> None:
    bad = {"metadata": {"name": "Demo"}, "spec": {"owners": [], "displayName": "Demo", "storeLimit": 101}}
    with pytest.raises(InvalidResourceError) as caught:
        Tenant.from_body(bad)
    message = str(caught.value)
    assert message.startswith("Tenant Demo is invalid: ")
    assert "metadata.name: tenant name 'Demo' is invalid" in message
    assert "spec.owners: List should have at least 1 item" in message
    assert "spec.storeLimit: Input should be less than or equal to 100 (got 101)" in message


def test_status_round_trips_through_kubernetes_json() -> None:
    full = body()
    full["status"] = {
        "phase": "Provisioning",
        "observedGeneration": 1,
        "conditions": [
            {"type": "Ready", "status": "Unknown", "reason": "Queued", "message": "",
             "lastTransitionTime": "2026-01-01T09:00:00Z", "observedGeneration": 1},
        ],
        "namespace": "store-my-shop-0123abcd",
        "release": {"name": "my-shop", "revision": 2, "chart": "ecommerce-store-0.1.0"},
        "credentialsSecret": "my-shop-credentials",
        "steps": [{"name": "helm-install", "state": "Running", "startedAt": "2026-01-01T09:00:00Z", "attempts": 1}],
        "history": [{"time": "2026-01-01T09:00:00Z", "phase": "Requested", "reason": "Queued", "message": ""}],
        "setup": {"recipeVersion": "woocommerce-1", "completedSteps": ["wait-for-config"]},
        "failures": 0,
        "lastHandledRequestedAt": "2026-01-01T08:00:00Z",
        "queue": {"position": 2},
    }  # fmt: skip
    store = Store.from_body(full)
    dumped = store.model_dump(mode="json", exclude_none=True)
    assert dumped["status"] == full["status"]  # camelCase, 'Z' timestamps, nothing lost or added
    assert Store.from_body(dumped) == store


def test_status_from_a_newer_operator_is_still_readable() -> None:
    newer = body()
    newer["status"] = {"phase": "Ready", "someFutureField": {"x": 1}}
    assert Store.from_body(newer).status.phase == "Ready"


def test_long_operator_messages_are_cut_to_fit_the_schema() -> None:
    step = StepStatus(name="helm-install", state="Failed", message="E" * 5000)
    assert step.message is not None and len(step.message) == 1024 and step.message.endswith("…")


def test_timestamps_without_timezone_are_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        HistoryEntry(time=datetime(2026, 1, 1), phase="Ready", reason="Succeeded")


def entry(i: int) -> HistoryEntry:
    return HistoryEntry(time=T0.replace(minute=i % 60, hour=i // 60), phase="Provisioning", reason="Queued")


def test_history_keeps_the_newest_entries_oldest_first() -> None:
    history: list[HistoryEntry] = []
    for i in range(HISTORY_LIMIT + 5):
        history = append_history(history, entry(i))
    assert len(history) == HISTORY_LIMIT == 20
    assert history[0] == entry(5) and history[-1] == entry(HISTORY_LIMIT + 4)


def test_append_history_does_not_mutate_its_input() -> None:
    history = [entry(0)]
    append_history(history, entry(1))
    assert history == [entry(0)]


def test_history_longer_than_the_bound_is_refused_by_the_model() -> None:
    over = body()
    over["status"] = {"history": [entry(i).model_dump(mode="json") for i in range(HISTORY_LIMIT + 1)]}
    with pytest.raises(InvalidResourceError, match=r"status\.history: List should have at most 20 items"):
        Store.from_body(over)


def test_engine_immutability_is_stated_where_kubectl_users_see_it() -> None:
    schema = StoreSpec.model_json_schema(by_alias=True)["properties"]["engine"]
    assert schema["x-kubernetes-validations"] == [{"rule": "self == oldSelf", "message": ENGINE_IMMUTABLE}]


def test_a_hostile_name_does_not_flood_the_message() -> None:
    bad = body()
    bad["metadata"]["name"] = "x" * 10_000
    with pytest.raises(InvalidResourceError) as caught:
        Store.from_body(bad)
    assert len(str(caught.value)) < 500


def test_manifest_is_what_a_client_sends_on_create() -> None:
    from storefleet_operator.models import MedusaOptions, StoreMetadata

    built = Store(
        metadata=StoreMetadata(name="my-shop", namespace="tenant-demo", annotations={"storefleet.io/request-id": "r1"}),
        spec=StoreSpec(engine="medusa", display_name="My Shop", medusa=MedusaOptions()),
    )
    assert built.manifest() == {
        "apiVersion": "storefleet.io/v1alpha1",
        "kind": "Store",
        "metadata": {"name": "my-shop", "namespace": "tenant-demo", "annotations": {"storefleet.io/request-id": "r1"}},
        "spec": {"engine": "medusa", "displayName": "My Shop", "medusa": {"storefront": {"enabled": True}}},
    }
    read = Store.from_body({**built.manifest(), "status": {"phase": "Ready"}})
    assert read.manifest() == built.manifest()  # status and server fields never leak into a manifest


def test_from_body_reads_kopf_bodies_as_the_operator_receives_them() -> None:
    import kopf

    raw = yaml.safe_load((SAMPLES / "20-store-medusa.yaml").read_text())
    assert Store.from_body(kopf.Body(raw)) == Store.from_body(raw)
    with pytest.raises(InvalidResourceError, match=r"spec\.engine: is required"):
        Store.from_body(kopf.Body({**raw, "spec": {"displayName": "x"}}))
