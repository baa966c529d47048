"""`/` and every path outside the API: the dashboard's production build (`frontend/dist`).

Hashed files under `assets/` never change under the same name, so browsers keep them for a year;
`index.html` names the current hashes, so it is revalidated on every load (`no-cache`) and a new
release is picked up at once. Any other path that is not a file is a client-side route of the
single-page app and gets `index.html` (the SPA fallback); paths under `/api/` never do, so an unknown
API path still answers a JSON 404. The Content-Security-Policy comes from the security-headers
middleware (scripts from this origin only, no inline scripts).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from storefleet_api import errors

ASSET_CACHE = "public, max-age=31536000, immutable"
"""Vite puts a content hash in every asset's name: a changed file is a new URL."""

REVALIDATE = "no-cache"
"""Files without a hash in their name (index.html, favicon) must be checked on every load."""

_NOT_THE_DASHBOARD = ("api/", "metrics")


class DashboardBuildMissingError(RuntimeError):
    """STOREFLEET_DASHBOARD_DIR names a directory without a dashboard build in it."""


def dashboard_router(build_dir: Path) -> APIRouter:
    """The routes serving `build_dir`; include it after every API router (it matches any path)."""
    root = build_dir.resolve()
    index = root / "index.html"
    if not index.is_file():
        raise DashboardBuildMissingError(
            f"{root} has no index.html; build the dashboard (make frontend-build) or unset STOREFLEET_DASHBOARD_DIR"
        )
    router = APIRouter(include_in_schema=False)

    @router.api_route("/{path:path}", methods=["GET", "HEAD"])
    async def dashboard(path: str) -> FileResponse:
        if path.startswith(_NOT_THE_DASHBOARD):
            raise errors.NotFound(f"no such endpoint: /{path}")
        file = _file_in(root, path)
        if file is None:
            return FileResponse(index, headers={"Cache-Control": REVALIDATE})
        cache = ASSET_CACHE if file.parent.name == "assets" and file.parent.parent == root else REVALIDATE
        return FileResponse(file, headers={"Cache-Control": cache})

    return router


def _file_in(root: Path, path: str) -> Path | None:
    """The file `path` names inside `root`, or None (missing, a directory, or outside `root`)."""
    if not path or "\x00" in path:
        return None
    candidate = (root / path).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate
