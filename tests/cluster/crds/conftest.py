"""The CRD tests exercise the API server's own handling of Store/Tenant objects, with no operator."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="module")
def _without_operator(no_operator: None) -> None:
    """Every test here writes status itself; the session operator must not write it too."""
