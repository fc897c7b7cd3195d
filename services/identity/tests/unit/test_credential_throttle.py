"""Throttle, then lock, failed credential checks (ID-12): the pure counters and the policy's numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from identity.domain.credential_throttle import FailureCounter, ThrottlePolicy, ThrottleRule

RULE = ThrottleRule(throttle_after=3, lock_after=6, lock_for=timedelta(minutes=15), window=timedelta(minutes=15))
T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
POLICY = ThrottlePolicy()


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


def test_the_window_is_counted_from_the_first_failure():
    counter = FailureCounter()
    for minute in range(4):
        counter.record_failure(RULE, T0 + timedelta(minutes=minute * 4))  # 0, 4, 8, 12
    later = T0 + RULE.window
    assert counter.refused_until(RULE, later) is None
    counter.record_failure(RULE, later)
    assert counter.failures == 1 and counter.window_started_at == later


@pytest.mark.req("ID-12")
def test_a_steady_trickle_of_typos_behind_one_address_never_blocks_it():
    """A big site's honest failures, one every 2 seconds all day, stay under the address limits."""
    burst, sustained = FailureCounter(), FailureCounter()
    now = T0
    for _ in range(8 * 1800):  # 8 hours at 30 a minute
        assert burst.refused_until(POLICY.per_address_burst, now) is None
        assert sustained.refused_until(POLICY.per_address_sustained, now) is None
        burst.record_failure(POLICY.per_address_burst, now)
        sustained.record_failure(POLICY.per_address_sustained, now)
        now += timedelta(seconds=2)


@pytest.mark.req("ID-12")
def test_an_address_failing_hundreds_of_times_a_minute_is_blocked_without_waits_before():
    counter = FailureCounter()
    rule = POLICY.per_address_burst
    now = T0
    for _ in range(rule.lock_after - 1):
        counter.record_failure(rule, now)
        assert counter.refused_until(rule, now) is None  # no waits below the limit: colleagues pass
        now += timedelta(milliseconds=100)
    counter.record_failure(rule, now)
    assert counter.refused_until(rule, now) == ("locked", now + rule.lock_for)


def test_the_policy_counts_per_account_always_and_per_address_when_the_address_is_known():
    with_address = {c.key: c.scope for c in POLICY.counters("u1", "192.0.2.1")}
    assert with_address == {
        "account:u1": "account",
        "account:u1|address:192.0.2.1": "account",
        "address:192.0.2.1|minute": "address",
        "address:192.0.2.1|hour": "address",
    }
    assert [c.key for c in POLICY.counters("u1", None)] == ["account:u1"]


def test_the_numbers_keep_their_order():
    """One person's typos are throttled long before any address limit; the account locks before an address."""
    assert POLICY.per_account_and_address.throttle_after < POLICY.per_account_and_address.lock_after
    assert POLICY.per_account_and_address.lock_after < POLICY.per_account.lock_after
    assert POLICY.per_account.lock_after * 20 < POLICY.per_address_burst.lock_after
