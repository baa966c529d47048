"""The Medusa store ``make dev`` makes for its admin on a host with a real node, so the first thing
printed is a shop that opens. Through the gateway's API, as the dashboard would: the store belongs to
the admin's tenant and the operator provisions it like any other.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

NAME = "demo-shop"
DISPLAY_NAME = "Demo Outdoor Gear"
POLL_SECONDS = 5.0


def _call(gateway_url: str, token: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(  # noqa: S310 - loopback URL we built ourselves
        f"{gateway_url}/api/v1{path}", method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


@dataclass
class DemoStore:
    """Requested at start; ``poll()`` says once, when it is Ready (or Failed), what to open."""

    gateway_url: str
    token: str
    started: float = field(default_factory=time.monotonic)
    done: bool = False
    _next: float = 0.0

    @classmethod
    def request(cls, gateway_url: str, token: str, timeout: float = 60.0) -> DemoStore:
        """Ask for the store; the admin's tenant namespace is made by the operator moments after
        registration, so a refusal is retried until ``timeout``, then raised with the gateway's words."""
        body = {"name": NAME, "engine": "medusa", "display_name": DISPLAY_NAME, "storefront": True}
        deadline = time.monotonic() + timeout
        while True:
            try:
                _call(gateway_url, token, "POST", "/stores", body)
                return cls(gateway_url, token)
            except urllib.error.HTTPError as error:
                if time.monotonic() > deadline:
                    said = error.read().decode(errors="replace")[:300]
                    raise RuntimeError(f"the demo store was refused: {error.code} {said}") from None
                time.sleep(2)

    def poll(self) -> str | None:
        """A message for the person at the terminal once the store settles; None until then."""
        if self.done or time.monotonic() < self._next:
            return None
        self._next = time.monotonic() + POLL_SECONDS
        try:
            store = _call(self.gateway_url, self.token, "GET", f"/stores/{NAME}")
        except (urllib.error.URLError, OSError):
            return None  # the gateway restarting; ask again next time
        if store["phase"] == "Failed":
            self.done = True
            return (f"demo store {NAME} failed: {store.get('reason')}: {store.get('message')}\n"
                    f"  see `kubectl describe store -n {store.get('store_namespace') or '<tenant>'} {NAME}` "
                    "and the operator log")
        if store["phase"] != "Ready" or not store.get("url"):
            return None
        self.done = True
        login = _call(self.gateway_url, self.token, "GET", f"/stores/{NAME}/credentials")
        url = store["url"].rstrip("/")
        return f"""
demo Medusa store {NAME} is Ready ({time.monotonic() - self.started:.0f}s), served for real through Traefik:
  shop           {url}/        <- open this: the storefront, browse and buy
  Store API      {url}/store/products
  admin API      {store.get('admin_url') or url + '/admin/'}   (REST only, no admin UI in this image)
  admin login    {login['email']} / {login['password']}   (POST /admin/auth)"""
