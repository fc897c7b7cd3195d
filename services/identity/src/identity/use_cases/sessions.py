"""Sign-in (with its guard, ID-12), refresh, sign-out; and the tokens a session is given."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from identity.domain.signin_throttle import ThrottleRule
from identity.domain.user import User, normalise_email
from identity.repository import SessionRepository, SigninCounterRepository, UserRepository
from identity.signing import IssuedTokens, opaque_token, token_hash
from identity.use_cases.context import IdentityContext
from identity.use_cases.registration import get_user
from servicekit.errors import Locked, TooManyRequests, Unauthenticated


class SigninGuard:
    """ID-12: refuses attempts while throttled or locked; records failures durably."""

    def __init__(self, ctx: IdentityContext) -> None:
        self._ctx = ctx

    def _keys(self, email: str, client_address: str) -> list[tuple[str, ThrottleRule]]:
        policy = self._ctx.throttle_policy
        return [
            (f"account:{normalise_email(email)}|address:{client_address}", policy.per_account_and_address),
            (f"address:{client_address}", policy.per_address),
        ]

    async def check(self, session: AsyncSession, email: str, client_address: str) -> bool:
        """Refuses while throttled or locked; True when this account and address have failures to clear."""
        now = self._ctx.clock.now()
        keys = self._keys(email, client_address)
        counters = await SigninCounterRepository(session).get_many([key for key, _ in keys])
        for key, rule in keys:
            counter = counters[key]
            refusal = counter.refused_until(rule, now)
            if refusal is None:
                continue
            state, until = refusal
            seconds = int((until - now).total_seconds()) + 1
            if state == "locked":
                raise Locked(f"Too many failed sign-ins; try again in {seconds} seconds.", seconds)
            raise TooManyRequests(f"Too many failed sign-ins; wait {seconds} seconds.", seconds)
        return counters[keys[0][0]].failures > 0

    async def record_failure(self, email: str, client_address: str) -> None:
        now = self._ctx.clock.now()
        async with self._ctx.database.transaction() as session:
            counters = SigninCounterRepository(session)
            for key, rule in self._keys(email, client_address):
                counter = await counters.get(key)
                counter.record_failure(rule, now)
                await counters.put(key, counter)

    async def record_success(self, session: AsyncSession, email: str, client_address: str) -> None:
        counters = SigninCounterRepository(session)
        key, _ = self._keys(email, client_address)[0]
        counter = await counters.get(key)
        if counter.failures:
            counter.reset()
            await counters.put(key, counter)


async def issue_tokens(
    session: AsyncSession, ctx: IdentityContext, user: User, session_id: uuid.UUID | None,
    client_address: str | None = None,
) -> IssuedTokens:
    """Tokens for an existing session, or (session_id None) for a new one."""
    now = ctx.clock.now()
    refresh_token = opaque_token()
    sessions = SessionRepository(session)
    if session_id is None:
        session_id = await sessions.open(
            user.id, client_address, token_hash(refresh_token), now, now + ctx.refresh_ttl
        )
    else:
        await sessions.add_refresh_token(token_hash(refresh_token), session_id, now, now + ctx.refresh_ttl)
    expired = user.password_expired(ctx.password_policy, now)
    return IssuedTokens(
        access_token=ctx.issuer.access_token(user, session_id, now, password_expired=expired),
        refresh_token=refresh_token,
        expires_in=int(ctx.issuer.access_ttl.total_seconds()),
        password_expired=expired,
    )


async def sign_in(
    session: AsyncSession, ctx: IdentityContext, *, email: str, password: str, client_address: str
) -> IssuedTokens:
    guard = SigninGuard(ctx)
    had_failures = await guard.check(session, email, client_address)
    user = await UserRepository(session).by_email(email)
    # Unknown email or wrong password take the same time and give the same answer.
    password_ok = await ctx.hasher.verify(user.password_hash if user else ctx.hasher.dummy_hash, password)
    if user is None or not password_ok:
        await guard.record_failure(email, client_address)
        raise Unauthenticated("The email or password is not correct.")
    if had_failures:
        await guard.record_success(session, email, client_address)
    return await issue_tokens(session, ctx, user, None, client_address)


async def refresh(session: AsyncSession, ctx: IdentityContext, refresh_token: str) -> IssuedTokens:
    """Rotates the refresh token; presenting a used one revokes the whole session (reuse detection)."""
    now = ctx.clock.now()
    sessions = SessionRepository(session)
    row = await sessions.refresh_token(token_hash(refresh_token))
    if row is None or row.session_revoked_at is not None or row.expires_at <= now:
        raise Unauthenticated("The refresh token is not valid; sign in again.")
    if row.used_at is not None:
        async with ctx.database.transaction() as own:
            await SessionRepository(own).revoke(row.session_id, now, "refresh token reused")
        raise Unauthenticated("The refresh token was already used; the session is closed for safety.")
    await sessions.mark_used(row.token_hash, now)
    user = await get_user(session, row.user_id)
    return await issue_tokens(session, ctx, user, row.session_id)


async def sign_out(session: AsyncSession, ctx: IdentityContext, refresh_token: str) -> None:
    sessions = SessionRepository(session)
    row = await sessions.refresh_token(token_hash(refresh_token))
    if row is not None:
        await sessions.revoke(row.session_id, ctx.clock.now(), "signed out")


async def sign_out_session(session: AsyncSession, ctx: IdentityContext, session_id: uuid.UUID) -> None:
    await SessionRepository(session).revoke(session_id, ctx.clock.now(), "signed out")


async def sign_out_everywhere(session: AsyncSession, ctx: IdentityContext, user_id: uuid.UUID) -> None:
    await SessionRepository(session).revoke_all_for_user(user_id, ctx.clock.now(), "signed out everywhere")
