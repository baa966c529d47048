"""A real Medusa store on the real node, end to end as its owner and a shopper see it: applied with
kubectl, Ready through the real operator, its Store API and admin login through the ingress, a
purchase in Chromium on the storefront, pods running as the chart says, an order that survives the
database pod being deleted."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.storefront.shopper import add_to_cart, choose_shipping, fill_address, open_product, place_order
from tests.realnode.realstores import REAL_TIER_TIMEOUT, RealStore
from tests.support import wait_for

from storefleet_localcluster import nodekinds

pytestmark = [pytest.mark.realnode, pytest.mark.timeout(REAL_TIER_TIMEOUT)]

SEEDED = {"Classic T-Shirt", "Everyday Hoodie"}
"""Two of the products the Medusa image's seed makes (the storefront tier buys the same ones)."""


def test_the_store_goes_ready_on_the_real_node_and_is_not_simulated(real_shop: RealStore) -> None:
    status = real_shop.status
    assert status["phase"] == "Ready"
    assert status["simulated"] is False
    simulated = next(c for c in status["conditions"] if c["type"] == "Simulated")
    assert (simulated["status"], simulated["reason"]) == ("False", "RealNodes")
    nodes = {p["spec"].get("nodeName") for p in real_shop.pods()}
    assert nodes == {nodekinds.REAL_NODE_NAME}
    table = real_shop.cluster.kubectl("get", "store", real_shop.name, "-n", real_shop.tenant_namespace).stdout
    assert "SIMULATED" in table.splitlines()[0] and "false" in table.splitlines()[1].split()


def test_the_store_api_lists_the_seeded_products_through_the_ingress(real_shop: RealStore) -> None:
    with real_shop.http() as store:
        regions = store.get("/store/regions").json()["regions"]
        usd = next(r for r in regions if r["currency_code"] == "usd")  # the storefront's region
        response = store.get("/store/products", params={"region_id": usd["id"]})
    assert response.status_code == 200
    titles = {p["title"] for p in response.json()["products"]}
    assert titles >= SEEDED
    assert all(v["calculated_price"] is not None for p in response.json()["products"] for v in p["variants"])


def test_the_admin_logs_in_with_the_credentials_from_its_secret(real_shop: RealStore) -> None:
    email = real_shop.secret("admin-email")
    with real_shop.http() as client:
        good = client.post("/admin/auth/token", json={"email": email, "password": real_shop.secret("admin-password")})
        bad = client.post("/admin/auth/token", json={"email": email, "password": "not-the-password"})
    assert good.status_code == 200 and good.json()["access_token"]
    assert bad.status_code == 401
    with real_shop.admin() as admin:
        assert admin.get("/admin/auth").json()["user"]["email"] == email


@pytest.fixture
def shopper(real_shop: RealStore, storefront_browser: Browser) -> Iterator[Page]:
    context = storefront_browser.new_context(base_url=real_shop.browser_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def orders(store: RealStore) -> list[dict[str, object]]:
    with store.admin() as admin:
        found: list[dict[str, object]] = admin.get("/admin/orders", params={"limit": 100}).json()["orders"]
    return found


def test_a_shopper_buys_on_the_storefront_in_chromium(real_shop: RealStore, shopper: Page) -> None:
    page = shopper
    page.goto("/")
    expect(page.get_by_role("heading", name="Featured products")).to_be_visible()
    open_product(page, "Classic T-Shirt")
    add_to_cart(page, option="M", quantity=1)
    page.get_by_role("dialog", name="Cart").get_by_role("link", name="Go to checkout").click()
    fill_address(page)
    choose_shipping(page, "Standard")
    display_id = place_order(page)
    expect(page).to_have_url(re.compile(r"/order/order_"))
    assert display_id in [o["display_id"] for o in orders(real_shop)]


def test_pods_run_as_the_chart_says(real_shop: RealStore) -> None:
    cluster, ns = real_shop.cluster, real_shop.namespace
    pods = [p for p in real_shop.pods() if p["status"].get("phase") == "Running"]
    components = {p["metadata"]["labels"]["app.kubernetes.io/component"] for p in pods}
    assert components == {"medusa", "postgres", "storefront"}
    for pod in pods:
        name = pod["metadata"]["name"]
        assert all(c["ready"] for c in pod["status"]["containerStatuses"]), name
        for container in pod["spec"]["containers"]:
            assert container.get("readinessProbe"), f"{name}/{container['name']} has no readiness probe"
            uid = cluster.kubectl("exec", "-n", ns, name, "-c", container["name"], "--", "id", "-u").stdout.strip()
            assert uid != "0", f"{name}/{container['name']} runs as root"
            if (container.get("securityContext") or {}).get("readOnlyRootFilesystem"):
                wrote = cluster.kubectl(
                    "exec", "-n", ns, name, "-c", container["name"], "--", "touch", "/storefleet-probe", check=False
                )
                assert wrote.returncode != 0 and "Read-only file system" in wrote.stderr
    claims = json.loads(cluster.kubectl("get", "pvc", "-n", ns, "-o", "json").stdout)["items"]
    assert claims and all(c["status"]["phase"] == "Bound" for c in claims)


def test_deleting_the_database_pod_loses_no_order(real_shop: RealStore) -> None:
    before = {o["id"] for o in orders(real_shop)}
    assert before, "the purchase test should have left an order"
    cluster, ns = real_shop.cluster, real_shop.namespace
    [db] = [p for p in real_shop.pods() if p["metadata"]["labels"]["app.kubernetes.io/component"] == "postgres"]
    old_uid = db["metadata"]["uid"]
    cluster.kubectl("delete", "pod", "-n", ns, db["metadata"]["name"], "--wait=true", "--timeout=120s")

    def back() -> bool:
        [pod] = [p for p in real_shop.pods() if p["metadata"]["labels"]["app.kubernetes.io/component"] == "postgres"]
        ready = all(c["ready"] for c in pod["status"].get("containerStatuses") or [{"ready": False}])
        return pod["metadata"]["uid"] != old_uid and ready

    wait_for(back, "a new, ready postgres pod", timeout=180, interval=2)

    def orders_back() -> bool:
        try:
            return {o["id"] for o in orders(real_shop)} >= before
        except Exception:  # Medusa reconnects to the database on its own; until then it answers 5xx
            return False

    wait_for(orders_back, "every order back from the PVC", timeout=180, interval=3)
