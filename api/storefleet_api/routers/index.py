"""GET /api/v1: where things are, for a person (or a script) who starts at the API's base URL."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from storefleet_api import __version__
from storefleet_api.routers import API_PREFIX

router = APIRouter(prefix=API_PREFIX, tags=["health"])


class ApiIndex(BaseModel):
    name: str
    version: str
    openapi: str
    docs: str
    health: str


@router.get("", response_model=ApiIndex, summary="The API's name and version, and where its schema and docs are")
async def index() -> ApiIndex:
    return ApiIndex(
        name="storefleet gateway",
        version=__version__,
        openapi=f"{API_PREFIX}/openapi.json",
        docs="/api/docs",
        health=f"{API_PREFIX}/health",
    )
