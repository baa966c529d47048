"""PublishUrls: the URLs people use, read from the store's Ingress (not assembled from settings)."""

from __future__ import annotations

from dataclasses import dataclass

from storefleet_operator.models import Reason, StoreStatus
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.actions.progress import in_progress
from storefleet_operator.store.context import Deps, Next, Pass, decide_again
from storefleet_operator.store.snapshot import Urls


def with_urls(status: StoreStatus, urls: Urls) -> StoreStatus:
    return status.model_copy(
        update={"url": urls.url, "admin_url": urls.admin_url, "storefront_url": urls.storefront_url}
    )


def describe(urls: Urls) -> str:
    if urls.url is None:
        return "The store has no Ingress (ingress disabled in the chart values): no public URL"
    parts = [f"store {urls.url}", f"admin {urls.admin_url}"]
    if urls.storefront_url:
        parts.append(f"storefront {urls.storefront_url}")
    return "Published URLs: " + ", ".join(parts)


@dataclass(frozen=True)
class PublishUrls(Action):
    needs_slot: bool = True

    async def run(self, p: Pass, deps: Deps) -> Next:
        now, urls = deps.clock(), p.snapshot.urls
        message = describe(urls)
        p.status = st.start_step(p.status, st.STEP_URLS, "Reading the store's Ingress", now)
        p.status = st.succeed_step(with_urls(p.status, urls), st.STEP_URLS, message, now)
        p.status = in_progress(p.status, Reason.PROVISIONING, message, generation=p.generation, now=now)
        p.emit(st.normal(Reason.PROVISIONING, message))
        return decide_again()  # only the status changed
