"""The operator's Medusa setup recipe against a real Medusa 1.20.11 and PostgreSQL 15.

The session fixture brought the store up exactly as the chart and the operator do (init containers,
``medusa start``, ``medusa_recipe`` through ``run_recipe``) with a hostile admin password. These tests
check what a store owner would notice: the owner can log in, the catalog is there, running everything
again changes nothing, and an interrupted setup finishes on the next pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.medusa.medusa import run_cli
from tests.medusa.store import RealMedusa, init_containers, run_operator_recipe, setup_context

from storefleet_localcluster.cluster import free_port
from storefleet_operator.engines.runner import EngineSetupError, StepProgress, StepState

pytestmark = pytest.mark.medusa

SEEDED = {"regions": "1", "shipping options": "2", "products": "4", "admin users": "1"}


def counts(medusa: RealMedusa) -> dict[str, str]:
    return {
        "regions": medusa.sql("select count(*) from region where deleted_at is null"),
        "shipping options": medusa.sql(
            "select count(*) from shipping_option where deleted_at is null and not is_return"
        ),
        "products": medusa.sql("select count(*) from product where deleted_at is null"),
        "admin users": medusa.sql('select count(*) from "user" where deleted_at is null'),
    }


def test_the_owner_logs_in_with_a_hostile_password_and_sees_the_named_store(real_medusa: RealMedusa) -> None:
    response = real_medusa.login()
    assert response.status_code == 200, response.text
    with real_medusa.admin() as admin:
        assert admin.get("/admin/store").json()["store"]["name"] == 'Shop & Co\'s "Best" $(Store)'
        assert admin.get("/admin/auth").json()["user"]["email"] == real_medusa.admin_email
    # A wrong password is refused, so the login above proves the exact password arrived.
    assert real_medusa.login(password=real_medusa.admin_password[:-1]).status_code == 401
    assert not Path("/tmp/pwned").exists(), "a command substitution in the password was executed"


def test_a_new_store_sells_the_seeded_catalog(real_medusa: RealMedusa) -> None:
    assert counts(real_medusa) == SEEDED
    with real_medusa.store() as store:
        (region,) = store.get("/store/regions").json()["regions"]
        products = store.get("/store/products", params={"region_id": region["id"]}).json()
    assert products["count"] == 4
    assert all(v["calculated_price"] > 0 for p in products["products"] for v in p["variants"])


def test_bringing_the_store_up_again_changes_nothing(real_medusa: RealMedusa) -> None:
    """What a pod restart (init containers again) followed by an operator retry (recipe again) does."""
    before = counts(real_medusa)
    outputs = list(init_containers(real_medusa.env))
    assert "not seeding" in outputs[1]
    progress: list[StepProgress] = []
    ctx = setup_context(real_medusa.admin_email.upper(), real_medusa.admin_password)
    done = run_operator_recipe(real_medusa.executor(), ctx, progress=progress)
    assert done == ("wait-for-medusa-health", "ensure-admin-user", "set-store-name", "verify-medusa-catalog")
    assert counts(real_medusa) == before == SEEDED
    assert all(p.state is not StepState.RETRYING for p in progress), [p.message for p in progress]
    assert real_medusa.login().status_code == 200


def test_a_setup_interrupted_after_the_admin_was_made_finishes_on_the_next_pass(real_medusa: RealMedusa) -> None:
    email, password = "second-owner@shop.example.test", 'n€w "pass"\n$(whoami)'
    ctx = setup_context(email, password, name="Resumed Shop")
    dropped = real_medusa.executor(fail_when=lambda argv: "set-store-name" in argv)
    progress: list[StepProgress] = []
    with pytest.raises(EngineSetupError) as failure:
        run_operator_recipe(dropped, ctx, attempts=2, progress=progress)
    assert failure.value.step == "set-store-name"
    assert password not in str(failure.value) and all(password not in p.message for p in progress)
    assert all(password not in " ".join(argv) for argv in dropped.calls)
    # The owner already exists (ensure-admin ran for real) but the store still has its old name.
    assert real_medusa.login(email, password).status_code == 200
    with real_medusa.admin() as admin:
        assert admin.get("/admin/store").json()["store"]["name"] != "Resumed Shop"

    completed = {p.step for p in progress if p.state in (StepState.SUCCEEDED, StepState.SKIPPED)}
    assert completed == {"wait-for-medusa-health", "ensure-admin-user"}
    resumed = real_medusa.executor()
    run_operator_recipe(resumed, ctx, completed=completed)
    assert [argv[1] for argv in resumed.calls] == ["set-store-name", "verify"]
    with real_medusa.admin() as admin:
        assert admin.get("/admin/store").json()["store"]["name"] == "Resumed Shop"
        assert real_medusa.login(email, password).status_code == 200
        # Leave the store with its one owner, as the other tests expect.
        (second,) = [u for u in admin.get("/admin/users").json()["users"] if u["email"] == email]
        assert admin.delete(f"/admin/users/{second['id']}").status_code == 200


@pytest.mark.parametrize(
    "database_url",
    [
        pytest.param("postgres://medusa:x@storefleet-no-such-host.invalid:5432/medusa", id="name-not-resolved"),
        pytest.param(f"postgres://medusa:x@127.0.0.1:{free_port()}/medusa", id="nothing-listening"),
    ],
)
def test_migrate_fails_when_the_database_cannot_be_reached(real_medusa: RealMedusa, database_url: str) -> None:
    """Medusa 1.20's `migrations run` exits 0 after a failed connection; the init container must not, or
    Kubernetes moves on to the seed step, which then crash-loops on an empty schema (seen on the real node
    when the database's DNS name did not answer yet)."""
    code, output = run_cli({**real_medusa.env, "DATABASE_URL": database_url}, "migrate", timeout=120)
    assert code != 0, output


def test_migrate_on_a_migrated_database_succeeds(real_medusa: RealMedusa) -> None:
    code, output = run_cli(real_medusa.env, "migrate", timeout=300)
    assert code == 0, output
