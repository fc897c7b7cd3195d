"""Throttling and lock-out of failed credential checks (ID-12).

A credential check is any check of a secret the user knows: the password at
sign-in, at a password change and at an email change; the security answers at
a change of questions and on a reset link. Every failure of any of them counts
against the same counters, and every check is refused while a counter refuses.

The counters, and why these numbers
-----------------------------------

* **Per account, whatever the address** (`per_account`): 10 failures within
  15 minutes lock the account for 15 minutes. This is what stops guesses
  spread over many addresses (a botnet gets 10 guesses per 15 minutes, about
  1,000 a day, against a password that must pass ID-04 and the leaked-password
  list). It is also the one counter a stranger can use to lock the real user
  out, so it stays well above a person's typos (3 to 5 at a time) and the
  lock is short; the C-TPAT Helpdesk can lift it at once. DHS and NIST
  SP 800-63B both ask for a lock after a bounded number of consecutive
  failures (NIST: at most 100); 10 is far inside that.
* **Per account at one address** (`per_account_and_address`): from the 3rd
  failure each further attempt waits (1 s, doubling, at most 60 s); the 6th
  failure locks the account *at that address* for 15 minutes. This is the
  common case of one person (or one attacker) at one machine: it slows them
  down early without touching the same user at another address.
* **Per address, whatever the account** (`per_address_burst` and
  `per_address_sustained`): 300 failures within one minute block the address
  for 5 minutes; 3,000 within an hour block it for 30 minutes. A company's
  NAT or a shared office puts many people behind one address, so this must
  sit far above their honest typos: a 1,000-person site signing in together
  at 9:00 with one in five mistyping produces about 200 failures spread over
  half an hour (under 20 a minute). 300 a minute is 5 failures a second, a
  rate only a script reaches; 3,000 an hour (50 a minute, all hour long)
  catches a slower spray over many accounts, each of which the per-account
  counter caps separately, while a site failing 30 times a minute all day
  is never blocked. Below
  these rates one address's failures never refuse anyone else behind it: a
  colleague's correct first sign-in passes. The old numbers (waits from the
  20th failure per address, doubling) made a colleague wait 31 seconds after
  26 typos.

Windows are fixed: counting starts at the first failure and starts over when
`window` has passed since then, so "N failures within W" means exactly that,
and a steady trickle of honest typos from a big site never adds up to a lock.
A successful check clears the account's counters (its own mistakes are
forgiven); it never clears an address counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Scope = Literal["account", "address"]
Refusal = Literal["locked", "throttled"]


@dataclass(frozen=True)
class ThrottleRule:
    lock_after: int  # failures within `window` that lock
    lock_for: timedelta
    window: timedelta  # counted from the first failure; then counting starts over
    throttle_after: int | None = None  # failures before growing waits begin; None: no waits
    base_wait: timedelta = timedelta(seconds=1)
    max_wait: timedelta = timedelta(seconds=60)

    def wait_after(self, failures: int) -> timedelta:
        if self.throttle_after is None or failures < self.throttle_after:
            return timedelta(0)
        wait = self.base_wait * (2 ** min(failures - self.throttle_after, 30))
        return min(wait, self.max_wait)


@dataclass(frozen=True)
class Counted:
    """One counter a failure goes to: its name, its rule, and whose it is."""

    key: str
    rule: ThrottleRule
    scope: Scope


@dataclass(frozen=True)
class ThrottlePolicy:
    per_account: ThrottleRule = ThrottleRule(
        lock_after=10, lock_for=timedelta(minutes=15), window=timedelta(minutes=15)
    )
    per_account_and_address: ThrottleRule = ThrottleRule(
        lock_after=6, lock_for=timedelta(minutes=15), window=timedelta(minutes=15), throttle_after=3
    )
    per_address_burst: ThrottleRule = ThrottleRule(
        lock_after=300, lock_for=timedelta(minutes=5), window=timedelta(minutes=1)
    )
    per_address_sustained: ThrottleRule = ThrottleRule(
        lock_after=3000, lock_for=timedelta(minutes=30), window=timedelta(hours=1)
    )

    @property
    def forgotten_after(self) -> timedelta:
        """A counter with no failure for this long (and no lock left) counts for nothing any more: every window
        starts at a first failure, so none is still open, and it can be forgotten."""
        return max(rule.window for rule in (self.per_account, self.per_account_and_address, self.per_address_burst,
                                            self.per_address_sustained))

    def counters(self, account: str, client_address: str | None) -> list[Counted]:
        """The counters a check of `account` from `client_address` (None: not known) reads and feeds."""
        counted = [Counted(account_key(account), self.per_account, "account")]
        if client_address is not None:
            counted += [
                Counted(f"{account_key(account)}|address:{client_address}", self.per_account_and_address, "account"),
                Counted(f"address:{client_address}|minute", self.per_address_burst, "address"),
                Counted(f"address:{client_address}|hour", self.per_address_sustained, "address"),
            ]
        return counted


def account_key(account: str) -> str:
    """The per-account counter's key; the per-address ones of the same account start with it too."""
    return f"account:{account}"


@dataclass
class FailureCounter:
    """The state of one counter; persisted by the repository, decided here."""

    failures: int = 0
    window_started_at: datetime | None = None
    last_failure_at: datetime | None = None
    locked_until: datetime | None = None

    def _window_open(self, rule: ThrottleRule, now: datetime) -> bool:
        return self.window_started_at is not None and now - self.window_started_at < rule.window

    def refused_until(self, rule: ThrottleRule, now: datetime) -> tuple[Refusal, datetime] | None:
        """('locked'|'throttled', until) when an attempt now must be refused without checking."""
        if self.locked_until is not None and now < self.locked_until:
            return "locked", self.locked_until
        if not self._window_open(rule, now) or self.last_failure_at is None:
            return None
        retry_at = self.last_failure_at + rule.wait_after(self.failures)
        if now < retry_at:
            return "throttled", retry_at
        return None

    def record_failure(self, rule: ThrottleRule, now: datetime) -> None:
        if self.locked_until is not None and now >= self.locked_until:
            self.reset()
        if not self._window_open(rule, now):
            self.failures = 0
            self.window_started_at = now
        self.failures += 1
        self.last_failure_at = now
        if self.failures >= rule.lock_after and (self.locked_until is None or self.locked_until < now):
            self.locked_until = now + rule.lock_for

    def reset(self) -> None:
        self.failures = 0
        self.window_started_at = None
        self.last_failure_at = None
        self.locked_until = None
