"""Registration and the user profile (ID-01..ID-04), and reading a user."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from identity.domain.security_questions import ChosenQuestion, question_choice_errors
from identity.domain.user import Profile, StaffRole, User, ensure_email_free, hash_answers, normalise_email
from identity.repository import UserReads, UserRepository
from identity.use_cases.context import IdentityContext
from servicekit.errors import FieldErrors, NotFound
from servicekit.reads import Reads


async def show_user(reads: Reads, user_id: uuid.UUID) -> User:
    """A user to show, not to change: read outside the request's transaction (servicekit.reads)."""
    user = await UserReads(reads).get(user_id)
    if user is None:
        raise NotFound("The user no longer exists.")
    return user


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await UserRepository(session).get(user_id)
    if user is None:
        raise NotFound("The user no longer exists.")
    return user


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
    errors = FieldErrors(ctx.password_policy.violations(password, email=email))
    if kind == "trade" or questions:
        errors.extend(question_choice_errors(questions, "security_questions"))
    errors.raise_if_any()
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
    user = await get_user(session, user_id)
    user.complete_profile(profile, ctx.clock.now())
    await UserRepository(session).save(user)
    return user
