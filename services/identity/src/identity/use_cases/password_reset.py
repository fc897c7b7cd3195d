"""Forgot password (ID-08): a one-use link by email, the security answers, then a new password."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from identity.domain.user import User, answers_match
from identity.repository import (
    MailRepository,
    PasswordReset,
    PasswordResetRepository,
    SessionRepository,
    UserRepository,
)
from identity.signing import opaque_token, token_hash
from identity.use_cases.context import IdentityContext
from identity.use_cases.credential_guard import CredentialGuard, account_of
from identity.use_cases.credentials import set_new_password
from identity.use_cases.registration import get_user
from servicekit.errors import Conflict, FieldError, NotFound, ValidationFailed
from servicekit.mail import Mail

MAX_RESET_ANSWER_ATTEMPTS = 5


async def request_password_reset(session: AsyncSession, ctx: IdentityContext, email: str) -> None:
    """ID-08: emails a one-use link if the account exists; the caller learns nothing either way."""
    user = await UserRepository(session).by_email(email)
    if user is not None:
        await send_reset_link(session, ctx, user)


async def send_reset_link(
    session: AsyncSession, ctx: IdentityContext, user: User, *, from_helpdesk: bool = False
) -> None:
    """Queues the link's email in this transaction (mailed if and only if the link exists); older links die.

    A link the Helpdesk sends to a user whose questions it cleared needs no
    answers: the Helpdesk has vouched for the person, and there are none to ask.
    """
    now = ctx.clock.now()
    resets = PasswordResetRepository(session)
    await resets.expire_open_for_user(user.id, now)
    token = opaque_token()
    vouched = from_helpdesk and user.security_questions_required
    await resets.add(token_hash(token), user.id, now, now + ctx.reset_ttl, answers_verified_at=now if vouched else None)
    hours = int(ctx.reset_ttl.total_seconds() // 3600)
    link = f"{ctx.public_url}/reset-password?token={token}"
    opening = (
        "The C-TPAT Helpdesk sent you this link to set a new password for your C-TPAT Portal account.\n\n"
        if from_helpdesk else "A new password was requested for your C-TPAT Portal account.\n\n"
    )
    questions = (
        "you will not be asked security questions; choose new ones after you sign in" if vouched
        else "you will be asked your security questions first"
    )
    body = (
        f"{opening}"
        f"Open this link to set a new password (it works once and expires in {hours} hours;\n"
        f"{questions}):\n\n"
        f"{link}\n\n"
        "If you did not ask for this, ignore this message; your password stays as it is.\n"
    )
    await MailRepository(session).enqueue(Mail(user.email, "C-TPAT Portal: set a new password", body), now)


async def _open_reset(
    session: AsyncSession, ctx: IdentityContext, token: str, *, for_update: bool = True
) -> PasswordReset:
    reset = await PasswordResetRepository(session).by_token_hash(token_hash(token), for_update=for_update)
    if reset is None or reset.used_at is not None or reset.expires_at <= ctx.clock.now():
        raise NotFound("This link is not valid: it was used already, has expired, or never existed.")
    return reset


async def reset_questions(session: AsyncSession, ctx: IdentityContext, token: str) -> list[tuple[int, str]]:
    reset = await _open_reset(session, ctx, token)
    user = await get_user(session, reset.user_id)
    return user.chosen_questions()


async def verify_reset_answers(
    session: AsyncSession, ctx: IdentityContext, token: str, answers: dict[int, str],
    client_address: str | None = None,
) -> None:
    """ID-08; ID-12: refused while the account is locked, and a wrong answer counts on its counters too."""
    # Not locked here: a wrong answer is counted in a transaction of its own,
    # which must not wait behind this request's lock on the same row.
    reset = await _open_reset(session, ctx, token, for_update=False)
    user = await get_user(session, reset.user_id)
    if user.security_questions_required:
        raise Conflict("This account has no security questions; the C-TPAT Helpdesk can send a link that needs none.")
    guard = CredentialGuard(ctx, account_of(user), client_address)
    if not await guard.verify(session, lambda: answers_match(user, ctx.hasher, answers)):
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
    user = await get_user(session, reset.user_id)
    await set_new_password(session, ctx, user, new_password, "new_password")
    reset.used_at = ctx.clock.now()
    await PasswordResetRepository(session).save(reset)
    await SessionRepository(session).revoke_all_for_user(user.id, ctx.clock.now(), "password reset")
