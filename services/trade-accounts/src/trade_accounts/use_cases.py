"""Trade-accounts' use cases: one async function per command or query, inside the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.clock import Clock
from servicekit.errors import Forbidden, NotFound
from servicekit.outbox import Outbox
from trade_accounts.domain.actors import Actor, KnownUser
from trade_accounts.domain.addresses import Address
from trade_accounts.domain.trade_account import CompanyInformation, MemberType, PersonDetails, TradeAccount
from trade_accounts.repository import KnownUserRepository, TradeAccountRepository


@dataclass
class TradeAccountsContext:
    clock: Clock
    outbox: Outbox


async def _publish(session: AsyncSession, ctx: TradeAccountsContext, account: TradeAccount) -> None:
    for event in account.pull_events():
        await ctx.outbox.add(session, event)


async def _load(session: AsyncSession, account_id: uuid.UUID) -> tuple[TradeAccount, int]:
    account = await TradeAccountRepository(session).get(account_id, for_update=True)
    if account is None:
        raise NotFound("No such Trade Account.")
    return account, account.version


async def _save(session: AsyncSession, ctx: TradeAccountsContext, account: TradeAccount, loaded: int) -> None:
    await TradeAccountRepository(session).save(account, loaded_version=loaded)
    await _publish(session, ctx, account)


# --- Organization Profile ------------------------------------------------------------


async def create_trade_account(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, company: CompanyInformation
) -> TradeAccount:
    if actor.roles:
        raise Forbidden("CBP staff do not create Trade Accounts; trade users do.")
    creator = await KnownUserRepository(session).get(actor.user_id)
    if creator is None:
        raise Forbidden("Your user profile has not reached Trade Accounts yet; complete it and try again.")
    account = TradeAccount.create(creator, company, ctx.clock.now())
    await TradeAccountRepository(session).add(account)
    await _publish(session, ctx, account)
    return account


async def get_trade_account(session: AsyncSession, actor: Actor, account_id: uuid.UUID) -> TradeAccount:
    account = await TradeAccountRepository(session).get(account_id)
    if account is None:
        raise NotFound("No such Trade Account.")
    account.ensure_can_read(actor)
    return account


async def update_company_information(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, account_id: uuid.UUID,
    company: CompanyInformation,
) -> TradeAccount:
    account, loaded = await _load(session, account_id)
    account.update_company_information(actor, company, ctx.clock.now())
    await _save(session, ctx, account, loaded)
    return account


async def add_address(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, account_id: uuid.UUID, fields: dict
) -> Address:
    account, loaded = await _load(session, account_id)
    account.ensure_member(actor)  # strangers learn nothing from validation messages
    address = account.add_address(actor, Address.from_fields(fields), ctx.clock.now())
    await _save(session, ctx, account, loaded)
    return address


async def change_address(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, account_id: uuid.UUID,
    address_id: uuid.UUID, fields: dict,
) -> Address:
    account, loaded = await _load(session, account_id)
    account.ensure_member(actor)
    address = account.change_address(actor, Address.from_fields(fields, address_id), ctx.clock.now())
    await _save(session, ctx, account, loaded)
    return address


async def remove_address(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, account_id: uuid.UUID, address_id: uuid.UUID
) -> None:
    account, loaded = await _load(session, account_id)
    account.remove_address(actor, address_id, ctx.clock.now())
    await _save(session, ctx, account, loaded)


async def add_user(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, account_id: uuid.UUID, *,
    email: str, confirm_email: str, details: PersonDetails, type: MemberType,
):
    account, loaded = await _load(session, account_id)
    account.ensure_company_administrator(actor)
    existing = await KnownUserRepository(session).by_email(email)
    member = account.add_member(
        actor, email=email, confirm_email=confirm_email, details=details, type=type,
        existing_user=existing, now=ctx.clock.now(),
    )
    await _save(session, ctx, account, loaded)
    return member


async def change_user(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, account_id: uuid.UUID, member_id: uuid.UUID,
    *, details: PersonDetails, type: MemberType,
):
    account, loaded = await _load(session, account_id)
    member = account.change_member(actor, member_id, details=details, type=type, now=ctx.clock.now())
    await _save(session, ctx, account, loaded)
    return member


async def remove_user(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, account_id: uuid.UUID, member_id: uuid.UUID
) -> None:
    account, loaded = await _load(session, account_id)
    account.remove_member(actor, member_id, ctx.clock.now())
    await _save(session, ctx, account, loaded)


# --- navigation (TA-07) ----------------------------------------------------------------


@dataclass(frozen=True)
class NavigationAccount:
    trade_account_id: uuid.UUID
    company_name: str
    parent_id: uuid.UUID | None
    role: MemberType | None  # None: an account of the hierarchy the user is not listed in


@dataclass(frozen=True)
class TradeOrganization:
    top: NavigationAccount
    accounts: list[NavigationAccount]


async def navigation(session: AsyncSession, actor: Actor) -> list[TradeOrganization]:
    """Every Trade Organization (hierarchy) and Trade Account the user belongs to, with the role in each."""
    repo = TradeAccountRepository(session)
    rows = await repo.navigation(actor.user_id)
    known: dict[uuid.UUID, tuple[str, uuid.UUID | None]] = {
        r.trade_account_id: (r.company_name, r.parent_id) for r in rows
    }
    roles = {r.trade_account_id: r.role for r in rows}
    # Walk up to each hierarchy's top; parents the user is not in are fetched level by level.
    missing = {parent for _, parent in known.values() if parent and parent not in known}
    while missing:
        found = await repo.names_and_parents(missing)
        known.update(found)
        missing = {parent for _, parent in found.values() if parent and parent not in known}

    def top_of(account_id: uuid.UUID) -> uuid.UUID:
        seen = set()
        while known[account_id][1] is not None and account_id not in seen:
            seen.add(account_id)
            account_id = known[account_id][1]  # type: ignore[assignment]
        return account_id

    organizations: dict[uuid.UUID, list[NavigationAccount]] = {}
    for row in rows:
        organizations.setdefault(top_of(row.trade_account_id), []).append(
            NavigationAccount(row.trade_account_id, row.company_name, row.parent_id, row.role)
        )
    result = []
    for top_id, accounts in organizations.items():
        name, parent = known[top_id]
        top = NavigationAccount(top_id, name, parent, roles.get(top_id))
        result.append(TradeOrganization(top, accounts))
    return sorted(result, key=lambda o: o.top.company_name.lower())


# --- what identity tells us -------------------------------------------------------------


async def user_registered(session: AsyncSession, ctx: TradeAccountsContext, user_id: uuid.UUID, email: str) -> None:
    """Keeps the user known and (TA-05) turns invitations for this email into active memberships."""
    await KnownUserRepository(session).register(user_id, email.lower())
    user = KnownUser(user_id, email.lower(), None)
    repo = TradeAccountRepository(session)
    for account_id in await repo.ids_with_invitation_for(email):
        account, loaded = await _load(session, account_id)
        if account.activate_invitations(user, ctx.clock.now()):
            await _save(session, ctx, account, loaded)


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
        account, loaded = await _load(session, account_id)
        if account.follow_email_change(user_id, new_email.lower(), ctx.clock.now()):
            await _save(session, ctx, account, loaded)
