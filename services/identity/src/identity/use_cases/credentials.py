"""Changing credentials while signed in (ID-07, ID-09; the way out of ID-06)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from identity.domain.security_questions import ChosenQuestion, question_choice_errors
from identity.domain.user import (
    User,
    answers_match,
    ensure_email_free,
    ensure_password_acceptable,
    ensure_password_not_reused,
    hash_answers,
)
from identity.repository import PasswordResetRepository, SessionRepository, UserRepository
from identity.signing import IssuedTokens
from identity.use_cases.context import IdentityContext
from identity.use_cases.credential_guard import CredentialGuard, account_of
from identity.use_cases.registration import get_user
from identity.use_cases.sessions import issue_tokens
from servicekit.errors import Conflict, FieldErrors, ValidationFailed
from servicekit.store import StaleAggregate


async def _require_password(
    session: AsyncSession, ctx: IdentityContext, user: User, password: str, field_name: str,
    client_address: str | None,
) -> None:
    """ID-12: refused while the account is locked; a wrong password counts like a failed sign-in."""
    guard = CredentialGuard(ctx, account_of(user), client_address)
    if not await guard.verify(session, lambda: ctx.hasher.verify(user.password_hash, password)):
        raise ValidationFailed.on(field_name, "is not your current password")


async def set_new_password(
    session: AsyncSession, ctx: IdentityContext, user: User, new_password: str, field_name: str
) -> None:
    """ID-04, ID-05: a policy-abiding password not among the last eight; open reset links die."""
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
    client_address: str | None = None,
) -> IssuedTokens:
    """ID-07 (and the way out of ID-06): other sessions end; this one gets fresh tokens."""
    user = await get_user(session, user_id)
    await _require_password(session, ctx, user, current_password, "current_password", client_address)
    await set_new_password(session, ctx, user, new_password, "new_password")
    await SessionRepository(session).revoke_all_for_user(user.id, ctx.clock.now(), "password changed", keep=session_id)
    return await issue_tokens(session, ctx, user, session_id)


async def change_security_questions(
    session: AsyncSession,
    ctx: IdentityContext,
    *,
    user_id: uuid.UUID,
    current_answers: dict[int, str],
    questions: list[ChosenQuestion],
    client_address: str | None = None,
) -> User:
    """ID-07: the current answers unlock new questions (ID-12: guarded like a sign-in)."""
    user = await get_user(session, user_id)
    FieldErrors(question_choice_errors(questions, "security_questions")).raise_if_any()
    user.ensure_security_questions_to_change()
    guard = CredentialGuard(ctx, account_of(user), client_address)
    if not await guard.verify(session, lambda: answers_match(user, ctx.hasher, current_answers)):
        raise ValidationFailed.on("current_answers", "do not match your security answers")
    user.replace_security_answers(await hash_answers(ctx.hasher, {q.question_id: q.answer for q in questions}))
    await UserRepository(session).save(user)
    return user


async def choose_new_security_questions(
    session: AsyncSession,
    ctx: IdentityContext,
    *,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    questions: list[ChosenQuestion],
) -> IssuedTokens:
    """ID-03 again, after the C-TPAT Helpdesk cleared the questions; fresh tokens no longer require them."""
    user = await get_user(session, user_id)
    FieldErrors(question_choice_errors(questions, "security_questions")).raise_if_any()
    user.choose_security_answers(await hash_answers(ctx.hasher, {q.question_id: q.answer for q in questions}))
    await UserRepository(session).save(user)
    return await issue_tokens(session, ctx, user, session_id)


async def change_email(
    session: AsyncSession, ctx: IdentityContext, *, user_id: uuid.UUID, current_password: str, new_email: str,
    client_address: str | None = None,
) -> User:
    """ID-09: the current password confirms; `UserEmailChanged` tells every other service."""
    user = await get_user(session, user_id)
    await _require_password(session, ctx, user, current_password, "current_password", client_address)
    users = UserRepository(session)
    other = await users.by_email(new_email)
    if other is not None and other.id != user.id:
        ensure_email_free(other, new_email, "new_email")
    user.change_email(new_email, ctx.clock.now())
    try:
        await users.save(user)
    except Conflict as taken:
        if isinstance(taken, StaleAggregate):
            raise
        # Another request took the address between the check above and this save.
        ensure_email_free(user, new_email, "new_email")
    return user
