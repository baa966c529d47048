"""Backoff between attempts: exponential, capped, jittered downwards only."""

from __future__ import annotations

import pytest

from storefleet_operator.retry import Backoff

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(1, 2.0), (2, 4.0), (3, 8.0), (4, 16.0), (5, 30.0), (60, 30.0), (10_000, 30.0)],
)
def test_delay_doubles_up_to_the_cap_and_jitter_only_shortens_it(attempt: int, ceiling: float) -> None:
    backoff = Backoff(base=2.0, maximum=30.0)
    assert backoff.delay(attempt, 0.0) == ceiling
    assert backoff.delay(attempt, 0.999) == pytest.approx(ceiling * (1 - 0.25 * 0.999))
    for rand in (0.0, 0.3, 0.7, 0.999):
        assert 0.75 * ceiling <= backoff.delay(attempt, rand) <= ceiling <= 30.0


def test_jitter_spreads_stores_that_failed_together() -> None:
    backoff = Backoff(base=2.0, maximum=30.0)
    assert len({backoff.delay(3, r / 10) for r in range(10)}) == 10


@pytest.mark.parametrize(
    ("base", "maximum", "jitter"),
    [(0.0, 1.0, 0.25), (2.0, 1.0, 0.25), (1.0, 2.0, 1.0), (1.0, 2.0, -0.1)],
)
def test_nonsense_settings_are_refused(base: float, maximum: float, jitter: float) -> None:
    with pytest.raises(ValueError):
        Backoff(base, maximum, jitter)
