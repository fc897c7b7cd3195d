"""What identity's events tell trade-accounts: users become known, invitations turn into memberships
(TA-05, ID-02), and each membership follows the person's email and profile (ID-09)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from trade_accounts.domain.trade_account import PersonDetails
from trade_accounts.repository import KnownUserRepository, TradeAccountRepository
from trade_accounts.use_cases.context import TradeAccountsContext
from trade_accounts.use_cases.organization_profile import load_trade_account


async def user_registered(session: AsyncSession, ctx: TradeAccountsContext, user_id: uuid.UUID, email: str) -> None:
    """The user becomes known; invitations to this email become theirs, still pending until the profile is done."""
    await KnownUserRepository(session).register(user_id, email.lower())
    await _memberships_follow(session, ctx, user_id)


async def user_profile_updated(
    session: AsyncSession, ctx: TradeAccountsContext, user_id: uuid.UUID, details: PersonDetails
) -> None:
    """ID-02: a completed profile activates the person's invitations; a changed one reaches every listing."""
    if await KnownUserRepository(session).update(user_id, **details.__dict__):
        await _memberships_follow(session, ctx, user_id)


async def user_email_changed(
    session: AsyncSession, ctx: TradeAccountsContext, user_id: uuid.UUID, new_email: str
) -> None:
    """ID-09: the new address reaches every Trade Account that lists the user."""
    if await KnownUserRepository(session).update(user_id, email=new_email.lower()):
        await _memberships_follow(session, ctx, user_id)


async def _memberships_follow(session: AsyncSession, ctx: TradeAccountsContext, user_id: uuid.UUID) -> None:
    known_users = KnownUserRepository(session)
    user = await known_users.get(user_id)
    if user is None:
        return  # never known here, so listed nowhere
    # A member being added under this address right now commits first, and is found below.
    await known_users.hold_email(user.email)
    repo = TradeAccountRepository(session)
    listing = set(await repo.ids_listing_user(user_id)) | set(await repo.ids_with_invitation_for(user.email))
    for account_id in sorted(listing):  # one order for every consumer: no two lock accounts crosswise
        account = await load_trade_account(session, account_id)
        if account.follow_user(user, ctx.clock.now()):
            await repo.save(account)
