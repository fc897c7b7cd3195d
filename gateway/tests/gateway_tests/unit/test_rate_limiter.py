from __future__ import annotations

import pytest

from gateway.rate_limit import RateLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_steady_rate():
    time = FakeTime()
    limiter = RateLimiter(rate_per_second=2, burst=3, now=time)
    assert [limiter.check("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.check("a") == 1
    time.now += 0.5  # one token back
    assert limiter.check("a") == 0
    assert limiter.check("a") == 1


def test_retry_after_says_how_long_to_wait():
    time = FakeTime()
    limiter = RateLimiter(rate_per_second=0.1, burst=1, now=time)
    assert limiter.check("a") == 0
    assert limiter.check("a") == 10
    time.now += 4
    assert limiter.check("a") == 6


def test_buckets_are_separate_and_never_overfill():
    time = FakeTime()
    limiter = RateLimiter(rate_per_second=1, burst=2, now=time)
    assert limiter.check("a") == limiter.check("a") == 0
    assert limiter.check("b") == 0
    time.now += 3600
    assert [limiter.check("a") for _ in range(3)] == [0, 0, 1]


def test_memory_is_bounded_under_a_flood_of_keys():
    time = FakeTime()
    limiter = RateLimiter(rate_per_second=1, burst=1, max_keys=100, now=time)
    for i in range(1000):
        limiter.check(f"k{i}")
    assert len(limiter._buckets) <= 100


def test_nonsense_limits_are_refused():
    with pytest.raises(ValueError):
        RateLimiter(rate_per_second=0, burst=1)
