"""Identity's use cases: one async function per command or query.

Each runs inside the caller's transaction (`session`) and only flushes; the
HTTP edge commits once. Counters that must survive a refusal (failed sign-ins,
wrong reset answers, a detected refresh-token reuse) are written in their own
short transaction through `IdentityContext.database`, because the refusal
rolls the request's transaction back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from identity.domain.password_policy import PasswordPolicy
from identity.domain.security_questions import (
    QUESTION_CATALOGUE,
    ChosenQuestion,
    question_choice_errors,
)
from identity.domain.signin_throttle import ThrottlePolicy, ThrottleRule
from identity.domain.user import Profile as Profile  # re-exported for the API
from identity.domain.user import (
    SecretHasher,
    StaffRole,
    User,
    answers_match,
    ensure_email_free,
    ensure_password_acceptable,
    ensure_password_not_reused,
    hash_answers,
    normalise_email,
)
from identity.repository import (
    MailRepository,
    PasswordResetRepository,
    SessionRepository,
    SigninCounterRepository,
    UserRepository,
)
from identity.signing import IssuedTokens, TokenIssuer, opaque_token, token_hash
from servicekit.clock import Clock
from servicekit.db import Database
from servicekit.errors import (
    FieldError,
    Locked,
    NotFound,
    TooManyRequests,
    Unauthenticated,
    ValidationFailed,
)

MAX_RESET_ANSWER_ATTEMPTS = 5


@dataclass
class IdentityContext:
    """What the use cases need besides the session; built once at bootstrap."""

    database: Database
    clock: Clock
    hasher: SecretHasher
    password_policy: PasswordPolicy
    throttle_policy: ThrottlePolicy
    issuer: TokenIssuer
    refresh_ttl: timedelta
    reset_ttl: timedelta
    public_url: str


async def _load(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await UserRepository(session).get(user_id)
    if user is None:
        raise NotFound("The user no longer exists.")
    return user


# --- registration and profile ---------------------------------------------------


async def register(
    session: AsyncSession,
    ctx: IdentityContext,
    *,
    email: str,
    password: str,
    questions: list[ChosenQuestion],
    kind: str = "trade",
    roles: list[StaffRole] | None = None,
) -> User:
    """ID-01, ID-03, ID-04: one email, one user; three questions; a policy-abiding password."""
    email = normalise_email(email)
    errors = ctx.password_policy.violations(password, email=email)
    if kind == "trade" or questions:
        errors += question_choice_errors(questions, "security_questions")
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    users = UserRepository(session)
    ensure_email_free(await users.by_email(email), email)
    user = User.register(
        email=email,
        password_hash=await ctx.hasher.hash(password),
        security_answers=await hash_answers(ctx.hasher, {q.question_id: q.answer for q in questions}),
        now=ctx.clock.now(),
        kind=kind,  # type: ignore[arg-type]
        roles=roles,
    )
    await users.add(user)
    return user


async def complete_profile(
    session: AsyncSession, ctx: IdentityContext, user_id: uuid.UUID, profile: Profile
) -> User:
    """ID-02: salutation, names, title and phone, before any Trade Account."""
    user = await _load(session, user_id)
    user.complete_profile(profile, ctx.clock.now())
    await UserRepository(session).save(user)
    return user


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await UserRepository(session).get(user_id)
    if user is None:
        raise NotFound("The user no longer exists.")
    return user


# --- sign-in, refresh, sign-out --------------------------------------------------


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


async def _issue(
    session: AsyncSession, ctx: IdentityContext, user: User, session_id: uuid.UUID | None,
    client_address: str | None = None,
) -> IssuedTokens:
    """Tokens for an existing session, or (session_id None) for a new one."""
    now = ctx.clock.now()
    refresh = opaque_token()
    sessions = SessionRepository(session)
    if session_id is None:
        session_id = await sessions.open(user.id, client_address, token_hash(refresh), now, now + ctx.refresh_ttl)
    else:
        await sessions.add_refresh_token(token_hash(refresh), session_id, now, now + ctx.refresh_ttl)
    expired = user.password_expired(ctx.password_policy, now)
    return IssuedTokens(
        access_token=ctx.issuer.access_token(user, session_id, now, password_expired=expired),
        refresh_token=refresh,
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
    return await _issue(session, ctx, user, None, client_address)


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
    return await _issue(session, ctx, user, row.session_id)


async def sign_out(session: AsyncSession, ctx: IdentityContext, refresh_token: str) -> None:
    sessions = SessionRepository(session)
    row = await sessions.refresh_token(token_hash(refresh_token))
    if row is not None:
        await sessions.revoke(row.session_id, ctx.clock.now(), "signed out")


async def sign_out_session(session: AsyncSession, ctx: IdentityContext, session_id: uuid.UUID) -> None:
    await SessionRepository(session).revoke(session_id, ctx.clock.now(), "signed out")


async def sign_out_everywhere(session: AsyncSession, ctx: IdentityContext, user_id: uuid.UUID) -> None:
    await SessionRepository(session).revoke_all_for_user(user_id, ctx.clock.now(), "signed out everywhere")


# --- changing credentials while signed in ------------------------------------------


async def _require_password(ctx: IdentityContext, user: User, password: str, field_name: str) -> None:
    if not await ctx.hasher.verify(user.password_hash, password):
        raise ValidationFailed.on(field_name, "is not your current password")


async def _set_new_password(
    session: AsyncSession, ctx: IdentityContext, user: User, new_password: str, field_name: str
) -> None:
    await ensure_password_acceptable(ctx.password_policy, new_password, email=user.email, field_name=field_name)
    await ensure_password_not_reused(user, ctx.password_policy, ctx.hasher, new_password, field_name=field_name)
    user.set_password(await ctx.hasher.hash(new_password), ctx.password_policy, ctx.clock.now())
    await UserRepository(session).save(user)
    await PasswordResetRepository(session).expire_open_for_user(user.id, ctx.clock.now())


async def change_password(
    session: AsyncSession,
    ctx: IdentityContext,
    *,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    current_password: str,
    new_password: str,
) -> IssuedTokens:
    """ID-07 (and the way out of ID-06): other sessions end; this one gets fresh tokens."""
    user = await _load(session, user_id)
    await _require_password(ctx, user, current_password, "current_password")
    await _set_new_password(session, ctx, user, new_password, "new_password")
    await SessionRepository(session).revoke_all_for_user(user.id, ctx.clock.now(), "password changed", keep=session_id)
    return await _issue(session, ctx, user, session_id)


async def change_security_questions(
    session: AsyncSession,
    ctx: IdentityContext,
    *,
    user_id: uuid.UUID,
    current_answers: dict[int, str],
    questions: list[ChosenQuestion],
) -> User:
    """ID-07: the current answers unlock new questions."""
    user = await _load(session, user_id)
    errors = question_choice_errors(questions, "security_questions")
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    if not await answers_match(user, ctx.hasher, current_answers):
        raise ValidationFailed.on("current_answers", "do not match your security answers")
    user.replace_security_answers(await hash_answers(ctx.hasher, {q.question_id: q.answer for q in questions}))
    await UserRepository(session).save(user)
    return user


async def change_email(
    session: AsyncSession, ctx: IdentityContext, *, user_id: uuid.UUID, current_password: str, new_email: str
) -> User:
    """ID-09: the current password confirms; `UserEmailChanged` tells every other service."""
    user = await _load(session, user_id)
    await _require_password(ctx, user, current_password, "current_password")
    users = UserRepository(session)
    other = await users.by_email(new_email)
    if other is not None and other.id != user.id:
        ensure_email_free(other, new_email, "new_email")
    user.change_email(new_email, ctx.clock.now())
    await users.save(user)
    return user


# --- forgot password -----------------------------------------------------------------


async def request_password_reset(session: AsyncSession, ctx: IdentityContext, email: str) -> None:
    """ID-08: emails a one-use link if the account exists; the caller learns nothing either way."""
    user = await UserRepository(session).by_email(email)
    if user is None:
        return
    now = ctx.clock.now()
    resets = PasswordResetRepository(session)
    await resets.expire_open_for_user(user.id, now)
    token = opaque_token()
    await resets.add(token_hash(token), user.id, now, now + ctx.reset_ttl)
    hours = int(ctx.reset_ttl.total_seconds() // 3600)
    link = f"{ctx.public_url}/reset-password?token={token}"
    body = (
        "A new password was requested for your C-TPAT Portal account.\n\n"
        f"Open this link to set a new password (it works once and expires in {hours} hours;\n"
        "you will be asked your security questions first):\n\n"
        f"{link}\n\n"
        "If you did not ask for this, ignore this message; your password stays as it is.\n"
    )
    await MailRepository(session).enqueue(user.email, "C-TPAT Portal: set a new password", body, now)


async def _open_reset(session: AsyncSession, ctx: IdentityContext, token: str, *, for_update: bool = True):
    reset = await PasswordResetRepository(session).by_token_hash(token_hash(token), for_update=for_update)
    if reset is None or reset.used_at is not None or reset.expires_at <= ctx.clock.now():
        raise NotFound("This link is not valid: it was used already, has expired, or never existed.")
    return reset


async def reset_questions(session: AsyncSession, ctx: IdentityContext, token: str) -> list[tuple[int, str]]:
    reset = await _open_reset(session, ctx, token)
    user = await get_user(session, reset.user_id)
    return [(a.question_id, QUESTION_CATALOGUE[a.question_id]) for a in user.security_answers]


async def verify_reset_answers(
    session: AsyncSession, ctx: IdentityContext, token: str, answers: dict[int, str]
) -> None:
    # Not locked here: a wrong answer is counted in a transaction of its own,
    # which must not wait behind this request's lock on the same row.
    reset = await _open_reset(session, ctx, token, for_update=False)
    user = await get_user(session, reset.user_id)
    if not await answers_match(user, ctx.hasher, answers):
        async with ctx.database.transaction() as own:
            resets = PasswordResetRepository(own)
            stored = await resets.by_token_hash(token_hash(token))
            if stored is not None:
                stored.failed_answer_attempts += 1
                if stored.failed_answer_attempts >= MAX_RESET_ANSWER_ATTEMPTS:
                    stored.used_at = ctx.clock.now()  # the link dies; ask for a new one
                await resets.save(stored)
        raise ValidationFailed.on("answers", "do not match the security answers of this account")
    reset.answers_verified_at = ctx.clock.now()
    await PasswordResetRepository(session).save(reset)


async def complete_password_reset(
    session: AsyncSession, ctx: IdentityContext, token: str, new_password: str
) -> None:
    reset = await _open_reset(session, ctx, token)
    if reset.answers_verified_at is None:
        raise ValidationFailed(
            "Answer the security questions before setting a new password.",
            [FieldError("answers", "the security questions have not been answered")],
        )
    user = await _load(session, reset.user_id)
    await _set_new_password(session, ctx, user, new_password, "new_password")
    reset.used_at = ctx.clock.now()
    await PasswordResetRepository(session).save(reset)
    await SessionRepository(session).revoke_all_for_user(user.id, ctx.clock.now(), "password reset")


