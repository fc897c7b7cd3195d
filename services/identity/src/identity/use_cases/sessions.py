"""Sign-in (guarded, ID-12), refresh, sign-out; and the tokens a session is given."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from identity.domain.user import User
from identity.repository import SessionRepository, UserRepository
from identity.signing import IssuedTokens, opaque_token, token_hash
from identity.use_cases.context import IdentityContext
from identity.use_cases.credential_guard import CredentialGuard, account_of
from identity.use_cases.registration import get_user
from servicekit.errors import Unauthenticated


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
        security_questions_required=user.security_questions_required,
    )


async def sign_in(
    session: AsyncSession, ctx: IdentityContext, *, email: str, password: str, client_address: str
) -> IssuedTokens:
    """ID-12: refused while this account (anywhere) or this address is locked; a failure counts on both."""
    user = await UserRepository(session).by_email(email)
    guard = CredentialGuard(ctx, account_of(user, email), client_address)
    # Unknown email or wrong password take the same time and give the same answer.
    password_hash = user.password_hash if user else ctx.hasher.dummy_hash
    if not await guard.verify(session, lambda: ctx.hasher.verify(password_hash, password)) or user is None:
        raise Unauthenticated("The email or password is not correct.")
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
