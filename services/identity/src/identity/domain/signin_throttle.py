"""Throttling and lock-out of failed sign-ins (ID-12).

Failures are counted per (account, client address) and per client address.
The pair counter protects one account from guessing at one address without
letting a stranger elsewhere lock the real user out; the address counter stops
one address from spraying guesses over many accounts. Each counter first
throttles (a growing wait between attempts), then locks for a period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottleRule:
    throttle_after: int  # failures before waits begin
    lock_after: int  # failures that lock
    lock_for: timedelta
    base_wait: timedelta = timedelta(seconds=1)
    max_wait: timedelta = timedelta(seconds=60)
    window: timedelta = timedelta(minutes=15)  # failures older than this are forgotten

    def wait_after(self, failures: int) -> timedelta:
        if failures < self.throttle_after:
            return timedelta(0)
        wait = self.base_wait * (2 ** (failures - self.throttle_after))
        return min(wait, self.max_wait)


@dataclass(frozen=True)
class ThrottlePolicy:
    per_account_and_address: ThrottleRule = ThrottleRule(
        throttle_after=3, lock_after=6, lock_for=timedelta(minutes=15)
    )
    per_address: ThrottleRule = ThrottleRule(
        throttle_after=20, lock_after=50, lock_for=timedelta(minutes=15), base_wait=timedelta(milliseconds=500)
    )


@dataclass
class FailureCounter:
    """The state of one counter; persisted by the repository, decided here."""

    failures: int = 0
    last_failure_at: datetime | None = None
    locked_until: datetime | None = None

    def refused_until(self, rule: ThrottleRule, now: datetime) -> tuple[str, datetime] | None:
        """('locked'|'throttled', until) when an attempt now must be refused without checking."""
        if self.locked_until and now < self.locked_until:
            return "locked", self.locked_until
        if self.last_failure_at is None or now - self.last_failure_at > rule.window:
            return None
        retry_at = self.last_failure_at + rule.wait_after(self.failures)
        if now < retry_at:
            return "throttled", retry_at
        return None

    def record_failure(self, rule: ThrottleRule, now: datetime) -> None:
        if self.last_failure_at is not None and now - self.last_failure_at > rule.window:
            self.failures = 0
        if self.locked_until and now >= self.locked_until:
            self.failures = 0
            self.locked_until = None
        self.failures += 1
        self.last_failure_at = now
        if self.failures >= rule.lock_after:
            self.locked_until = now + rule.lock_for

    def reset(self) -> None:
        self.failures = 0
        self.last_failure_at = None
        self.locked_until = None
