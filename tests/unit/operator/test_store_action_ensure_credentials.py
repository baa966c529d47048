"""EnsureCredentials: the Secret is made once and never regenerated; its owner may read it."""

from __future__ import annotations

import pytest
from tests.unit.operator.storekit import NAMESPACE, MemoryKube, converged, deps, make_pass, store, with_adapters

from storefleet_operator.store.actions.ensure_credentials import EnsureCredentials

pytestmark = pytest.mark.unit
KEY = (NAMESPACE, "shop-credentials")


async def test_creates_the_secret_once_and_keeps_it_on_the_next_run() -> None:
    kube = MemoryKube()
    d = with_adapters(deps(), kube)
    p = make_pass(converged(credentials_ready=False))
    await EnsureCredentials().run(p, d)
    first = dict(kube.secrets[KEY]["stringData"])
    assert first["admin-username"] == "admin"
    assert first["admin-email"] == "admin@shop-alice.localhost"
    assert p.status.credentials_secret == "shop-credentials"
    again = make_pass(converged(credentials_ready=False))
    await EnsureCredentials().run(again, d)
    assert kube.secrets[KEY]["stringData"] == first
    assert "Kept the existing" in again.events[0].message


async def test_the_tenant_service_account_and_owners_may_read_exactly_that_secret() -> None:
    kube = MemoryKube()
    kube.tenants["alice"] = {"spec": {"owners": [{"kind": "User", "name": "alice@example.com"}]}}
    p = make_pass(converged(credentials_ready=False))
    await EnsureCredentials().run(p, with_adapters(deps(), kube))
    role = kube.roles[(NAMESPACE, "shop-credentials-reader")]
    assert role["rules"][0]["resourceNames"] == ["shop-credentials"]
    subjects = kube.bindings[(NAMESPACE, "shop-credentials-reader")]["subjects"]
    assert [(s["kind"], s["name"]) for s in subjects] == [
        ("ServiceAccount", "storefleet-tenant"),
        ("User", "alice@example.com"),
    ]


async def test_no_secret_value_reaches_status_or_events() -> None:
    kube = MemoryKube()
    p = make_pass(converged(store(engine="medusa"), credentials_ready=False))
    await EnsureCredentials().run(p, with_adapters(deps(), kube))
    shown = p.status.model_dump_json() + " ".join(e.message for e in p.events)
    for key, value in kube.secrets[KEY]["stringData"].items():
        if key.endswith(("password", "secret")):
            assert value not in shown
