"""PublishUrls: status gets the URLs the Ingress serves."""

from __future__ import annotations

import pytest
from tests.unit.operator.storekit import converged, deps, make_pass, store

from storefleet_operator.store.actions import publish_urls
from storefleet_operator.store.actions.publish_urls import PublishUrls
from storefleet_operator.store.snapshot import Urls

pytestmark = pytest.mark.unit


async def test_urls_from_the_ingress_go_into_status_and_an_event() -> None:
    urls = Urls("http://m-alice.localhost", "http://m-alice.localhost/admin/", "http://m-alice.localhost")
    p = make_pass(converged(store(engine="medusa"), urls=urls))
    await PublishUrls().run(p, deps())
    assert (p.status.url, p.status.admin_url, p.status.storefront_url) == (
        urls.url,
        urls.admin_url,
        urls.storefront_url,
    )
    assert "storefront http://m-alice.localhost" in p.events[0].message


def test_a_store_without_ingress_says_so() -> None:
    assert "no public URL" in publish_urls.describe(Urls())
