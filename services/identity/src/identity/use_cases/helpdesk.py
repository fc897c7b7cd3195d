"""The C-TPAT Helpdesk (manual: "contact the C-TPAT Helpdesk"): a CBP Admin unlocks a sign-in, clears the
security questions or sends a reset link, and each action is recorded with who, how and why.

Who may act is decided by `domain.helpdesk` from the stored actor, not from a
token's claims, so a role taken away stops working at once.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from identity.domain.helpdesk import Channel, HelpdeskAction, HelpdeskActionKind, ensure_helpdesk_admin
from identity.domain.user import User
from identity.repository import HelpdeskActionRepository, UserRepository
from identity.use_cases.context import IdentityContext
from identity.use_cases.credential_guard import clear_account_counters
from identity.use_cases.password_reset import send_reset_link
from servicekit.errors import NotFound


async def _admin(session: AsyncSession, actor_id: uuid.UUID) -> User:
    actor = await UserRepository(session).get(actor_id)
    if actor is None:
        raise NotFound("The user no longer exists.")
    ensure_helpdesk_admin(actor)
    return actor


async def act_for_helpdesk(
    session: AsyncSession,
    ctx: IdentityContext,
    *,
    actor_id: uuid.UUID,
    action: HelpdeskActionKind,
    email: str,
    reason: str,
    channel: Channel = "api",
) -> HelpdeskAction:
    actor = await _admin(session, actor_id)
    user = await UserRepository(session).by_email(email)
    if user is None:
        raise NotFound("No user has this email.")
    record = HelpdeskAction.record(action, user=user, actor=actor, channel=channel, reason=reason,
                                   now=ctx.clock.now())
    if action == "unlock_sign_in":
        await clear_account_counters(session, user)
    elif action == "clear_security_questions":
        user.clear_security_questions()
        await UserRepository(session).save(user)
    else:
        await send_reset_link(session, ctx, user, from_helpdesk=True)
    await HelpdeskActionRepository(session).add(record)
    return record


async def helpdesk_actions(
    session: AsyncSession, *, actor_id: uuid.UUID, email: str | None = None, limit: int = 100
) -> list[HelpdeskAction]:
    """Newest first: one user's (by email) or everyone's. For CBP Admins only."""
    await _admin(session, actor_id)
    user_id = None
    if email is not None:
        user = await UserRepository(session).by_email(email)
        if user is None:
            raise NotFound("No user has this email.")
        user_id = user.id
    return await HelpdeskActionRepository(session).recent(user_id=user_id, limit=limit)


async def admin_id_by_email(session: AsyncSession, email: str) -> uuid.UUID:
    """The CLI names its operator by email; the operator must be a CBP Admin like any API caller."""
    actor = await UserRepository(session).by_email(email)
    if actor is None:
        raise NotFound(f"No user has the email {email}.")
    ensure_helpdesk_admin(actor)
    return actor.id

