"""ID-12 around every check of a password or security answers: refuse while locked, count each failure.

The rules and their numbers are in `identity.domain.credential_throttle`;
this module reads and writes the counters around one check. Failures are
written in a transaction of their own, because the refusal that follows rolls
the request's transaction back and the count must survive it.

Checks already running when a lock lands still finish: a burst of parallel
guesses can pass the limit by the number of requests in flight at that moment
(bounded by the database pool of each identity process), never more.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from identity.domain.credential_throttle import Counted, account_key
from identity.domain.user import User, normalise_email
from identity.repository import FailureCounterRepository
from identity.use_cases.context import IdentityContext
from servicekit.errors import Locked, TooManyRequests


def account_of(user: User | None, email: str = "") -> str:
    """Counters follow the user (so an email change keeps them); an unknown email gets its own, alike."""
    return str(user.id) if user is not None else f"unknown:{normalise_email(email)}"


class CredentialGuard:
    def __init__(self, ctx: IdentityContext, account: str, client_address: str | None) -> None:
        self._ctx = ctx
        self._counted = ctx.throttle_policy.counters(account, client_address)
        self._account_failures = False

    async def check(self, session: AsyncSession) -> None:
        """Refuses (423 or 429, with Retry-After) while any counter refuses; otherwise lets the check run."""
        now = self._ctx.clock.now()
        counters = await FailureCounterRepository(session).get_many([c.key for c in self._counted])
        self._account_failures = any(
            counters[c.key].failures or counters[c.key].locked_until for c in self._counted if c.scope == "account"
        )
        refusals = []
        for counted in self._counted:
            refused = counters[counted.key].refused_until(counted.rule, now)
            if refused is not None:
                state, until = refused
                refusals.append((until, state, counted))
        if refusals:
            until, state, counted = max(refusals, key=lambda r: r[0])  # the longest wait is the true one
            raise _refusal(state, counted, until, now)

    async def verify(self, session: AsyncSession, check: Callable[[], Awaitable[bool]]) -> bool:
        """Runs `check` (a password or answers comparison) unless refused, and counts its outcome."""
        await self.check(session)
        if await check():
            await self.succeeded(session)
            return True
        await self.failed()
        return False

    async def failed(self) -> None:
        """Counts one failure on every counter, durably, whatever happens to the request."""
        now = self._ctx.clock.now()
        async with self._ctx.database.transaction() as own:
            repo = FailureCounterRepository(own)
            counters = await repo.lock_many([c.key for c in self._counted])
            for counted in self._counted:
                counters[counted.key].record_failure(counted.rule, now)
            await repo.put_many(counters)

    async def succeeded(self, session: AsyncSession) -> None:
        """A right answer forgives the account's own failures (never an address's)."""
        if self._account_failures:
            await FailureCounterRepository(session).clear([c.key for c in self._counted if c.scope == "account"])


def _refusal(state: str, counted: Counted, until: datetime, now: datetime) -> TooManyRequests:
    seconds = int((until - now).total_seconds()) + 1
    if counted.scope == "address":
        return TooManyRequests(
            f"Too many failed sign-ins from your network; try again in {seconds} seconds.", seconds
        )
    if state == "locked":
        return Locked(
            f"Too many failed attempts for this account; it is locked for {seconds} seconds. "
            "The C-TPAT Helpdesk can unlock it sooner.",
            seconds,
        )
    return TooManyRequests(f"Too many failed attempts; wait {seconds} seconds.", seconds)


async def clear_account_counters(session: AsyncSession, user: User) -> int:
    """Lifts every lock and throttle of one account, at every address (the Helpdesk's unlock)."""
    return await FailureCounterRepository(session).clear_account(account_key(account_of(user)))



async def forget_stale_counters(session: AsyncSession, ctx: IdentityContext) -> int:
    """ID-12 housekeeping (the worker, every few minutes): counters that count for nothing any more go."""
    now = ctx.clock.now()
    return await FailureCounterRepository(session).forget_stale(now - ctx.throttle_policy.forgotten_after, now)
