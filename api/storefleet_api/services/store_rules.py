"""Pure rules behind the stores endpoints: what a create request becomes, how Kubernetes refusals
read to a person, which stores a filter keeps.

Boundary: no I/O. `services.stores` calls these with data it fetched and raises what they decide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from storefleet_api.models.stores import StoreCreateRequest, phase_of
from storefleet_api.services.store_names import check_store_name
from storefleet_operator import contract, naming
from storefleet_operator.models import (
    MedusaOptions,
    MedusaStorefront,
    Phase,
    Store,
    StoreMetadata,
    StoreSpec,
    WooCommerceOptions,
)

"""The id of the user whose request created the Store (user ids are hashes: no personal data)."""

_QUOTA_COUNT = r"count/stores\.storefleet\.io=(\d+)"
_USED = re.compile(r"used: [^ ]*?" + _QUOTA_COUNT)
_LIMITED = re.compile(r"limited: [^ ]*?" + _QUOTA_COUNT)


def new_store(
    request: StoreCreateRequest,
    *,
    namespace: str,
    user_id: str,
    request_id: str | None,
    extra_blocked_words: Iterable[str] = (),
) -> Store:
    """The Store a create request asks for; ValueError (name rules) or pydantic's ValidationError
    (the operator's schema) when it cannot be created."""
    name = check_store_name(request.name, extra_blocked=extra_blocked_words)
    annotations = {contract.ANNOTATION_REQUESTED_BY: user_id}
    if request_id:
        annotations[contract.ANNOTATION_REQUEST_ID] = request_id
    return Store(
        # Written with the operator's finalizer: from its first moment the Store cannot vanish before
        # the operator has removed what it made for it (no window in which a quick delete orphans a
        # namespace the operator is creating).
        metadata=StoreMetadata(
            name=name, namespace=namespace, annotations=annotations, finalizers=[contract.FINALIZER]
        ),
        spec=StoreSpec(
            engine=request.engine,
            display_name=request.display_name if request.display_name is not None else name,
            woocommerce=WooCommerceOptions(theme=request.theme) if request.theme is not None else None,
            medusa=(
                MedusaOptions(storefront=MedusaStorefront(enabled=request.storefront))
                if request.storefront is not None
                else None
            ),
        ),
    )


@dataclass(frozen=True)
class QuotaRefusal:
    used: int | None
    limit: int | None

    def describe(self, fallback_limit: int | None) -> str:
        limit = self.limit if self.limit is not None else fallback_limit
        if limit == 0:
            return "your tenant may not have stores (its store limit is 0); ask an admin to raise the limit"
        if limit is None:
            return "store limit reached; delete a store or ask an admin to raise the limit"
        used = self.used if self.used is not None else limit
        return (
            f"store limit reached: {used} of {limit} stores; delete one or ask an admin to raise the limit "
            "(failed stores and stores being deleted count until they are gone)"
        )


def quota_refusal(message: str) -> QuotaRefusal | None:
    """The store quota's numbers when Kubernetes refused a create for exceeding it, else None.

    Kubernetes says e.g. `exceeded quota: stores, requested: count/stores.storefleet.io=1, used:
    count/stores.storefleet.io=5, limited: count/stores.storefleet.io=5`.
    """
    if "exceeded quota" not in message or "count/stores.storefleet.io" not in message:
        return None
    used, limited = _USED.search(message), _LIMITED.search(message)
    return QuotaRefusal(int(used.group(1)) if used else None, int(limited.group(1)) if limited else None)


def namespace_terminating(message: str) -> bool:
    return "because it is being terminated" in message


def quota_not_counted_yet(message: str) -> bool:
    """A brand-new quota refuses everything until the quota controller has counted usage once."""
    return "status unknown for quota" in message


def matches(store: Store, *, phase: Phase | None, engine: str | None, text: str | None = None) -> bool:
    """Whether a store passes the list filters; `text` is found, ignoring case, in the store's name,
    display name or tenant namespace."""
    if text:
        needle = text.casefold()
        haystack = (store.metadata.name, store.spec.display_name, store.metadata.namespace)
        if not any(needle in value.casefold() for value in haystack):
            return False
    return (phase is None or phase_of(store) == phase) and (engine is None or store.spec.engine == engine)


def store_id_is_valid(store_id: str) -> bool:
    """An id that cannot be a store name cannot name a store: answer 404 without asking Kubernetes."""
    try:
        naming.validate_store_name(store_id)
    except naming.InvalidNameError:
        return False
    return True
