"""What identity's events tell trade-accounts: users become known, invitations turn into memberships, emails follow."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from trade_accounts.domain.actors import KnownUser
from trade_accounts.domain.trade_account import PersonDetails
from trade_accounts.repository import KnownUserRepository, TradeAccountRepository
from trade_accounts.use_cases.context import TradeAccountsContext
from trade_accounts.use_cases.organization_profile import load_trade_account


async def user_registered(session: AsyncSession, ctx: TradeAccountsContext, user_id: uuid.UUID, email: str) -> None:
    """Keeps the user known and (TA-05) turns invitations for this email into active memberships."""
    await KnownUserRepository(session).register(user_id, email.lower())
    user = KnownUser(user_id, email.lower(), None)
    repo = TradeAccountRepository(session)
    for account_id in await repo.ids_with_invitation_for(email):
        account = await load_trade_account(session, account_id)
        if account.activate_invitations(user, ctx.clock.now()):
            await TradeAccountRepository(session).save(account)


async def user_profile_updated(session: AsyncSession, user_id: uuid.UUID, details: PersonDetails) -> None:
    await KnownUserRepository(session).update(user_id, **details.__dict__)


async def user_email_changed(
    session: AsyncSession, ctx: TradeAccountsContext, user_id: uuid.UUID, new_email: str
) -> None:
    """ID-09: the new address reaches every Trade Account that lists the user."""
    if not await KnownUserRepository(session).update(user_id, email=new_email.lower()):
        return  # never known here, so listed nowhere
    repo = TradeAccountRepository(session)
    for account_id in await repo.ids_listing_user(user_id):
        account = await load_trade_account(session, account_id)
        if account.follow_email_change(user_id, new_email.lower(), ctx.clock.now()):
            await TradeAccountRepository(session).save(account)
