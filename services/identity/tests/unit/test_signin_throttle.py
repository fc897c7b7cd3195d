"""Throttle, then lock, failed sign-ins (ID-12): the pure counter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from identity.domain.signin_throttle import FailureCounter, ThrottleRule

RULE = ThrottleRule(throttle_after=3, lock_after=6, lock_for=timedelta(minutes=15))
T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.req("ID-12")
def test_first_failures_are_free_then_waits_grow_then_a_lock():
    counter = FailureCounter()
    now = T0
    for _ in range(2):
        counter.record_failure(RULE, now)
        assert counter.refused_until(RULE, now) is None
    counter.record_failure(RULE, now)  # third failure: throttled for 1 s
    assert counter.refused_until(RULE, now) == ("throttled", now + timedelta(seconds=1))
    now += timedelta(seconds=1)
    assert counter.refused_until(RULE, now) is None
    counter.record_failure(RULE, now)  # fourth: 2 s
    assert counter.refused_until(RULE, now) == ("throttled", now + timedelta(seconds=2))
    for _ in range(2):
        now += timedelta(seconds=10)
        counter.record_failure(RULE, now)
    state, until = counter.refused_until(RULE, now)
    assert state == "locked" and until == now + timedelta(minutes=15)
    assert counter.refused_until(RULE, until - timedelta(seconds=1))[0] == "locked"


@pytest.mark.req("ID-12")
def test_the_lock_ends_after_its_period_and_counting_starts_again():
    counter = FailureCounter()
    for _ in range(6):
        counter.record_failure(RULE, T0)
    after = T0 + timedelta(minutes=15)
    assert counter.refused_until(RULE, after) is None
    counter.record_failure(RULE, after)
    assert counter.failures == 1


def test_old_failures_are_forgotten_after_the_window():
    counter = FailureCounter()
    for _ in range(4):
        counter.record_failure(RULE, T0)
    later = T0 + RULE.window + timedelta(seconds=1)
    assert counter.refused_until(RULE, later) is None
    counter.record_failure(RULE, later)
    assert counter.failures == 1
