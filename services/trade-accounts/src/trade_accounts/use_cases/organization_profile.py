"""Organization Profile (TA-01..TA-07): commands and queries on one Trade Account, and navigation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.errors import Forbidden, NotFound
from servicekit.reads import Reads
from trade_accounts.domain.actors import Actor
from trade_accounts.domain.addresses import Address
from trade_accounts.domain.invitations import invitation_mail
from trade_accounts.domain.trade_account import (
    CompanyInformation,
    MemberStatus,
    MemberType,
    PersonDetails,
    TradeAccount,
)
from trade_accounts.repository import (
    KnownUserRepository,
    MailRepository,
    TradeAccountReads,
    TradeAccountRepository,
)
from trade_accounts.use_cases.context import TradeAccountsContext

# --- Organization Profile ------------------------------------------------------------


async def load_trade_account(session: AsyncSession, account_id: uuid.UUID) -> TradeAccount:
    account = await TradeAccountRepository(session).get(account_id)
    if account is None:
        raise NotFound("No such Trade Account.")
    return account


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
    return account


async def get_trade_account(reads: Reads, actor: Actor, account_id: uuid.UUID) -> TradeAccount:
    """A Trade Account to show, not to change: read outside the request's transaction (servicekit.reads)."""
    account = await TradeAccountReads(reads).get(account_id)
    if account is None:
        raise NotFound("No such Trade Account.")
    account.ensure_can_read(actor)
    return account


async def update_company_information(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, account_id: uuid.UUID,
    company: CompanyInformation,
) -> TradeAccount:
    account = await load_trade_account(session, account_id)
    account.update_company_information(actor, company, ctx.clock.now())
    await TradeAccountRepository(session).save(account)
    return account


async def add_address(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, account_id: uuid.UUID, fields: dict
) -> Address:
    account = await load_trade_account(session, account_id)
    address = account.add_address(actor, fields, ctx.clock.now())
    await TradeAccountRepository(session).save(account)
    return address


async def change_address(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, account_id: uuid.UUID,
    address_id: uuid.UUID, fields: dict,
) -> Address:
    account = await load_trade_account(session, account_id)
    address = account.change_address(actor, address_id, fields, ctx.clock.now())
    await TradeAccountRepository(session).save(account)
    return address


async def remove_address(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, account_id: uuid.UUID, address_id: uuid.UUID
) -> None:
    account = await load_trade_account(session, account_id)
    account.remove_address(actor, address_id, ctx.clock.now())
    await TradeAccountRepository(session).save(account)


async def add_user(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, account_id: uuid.UUID, *,
    email: str, confirm_email: str, details: PersonDetails, type: MemberType,
):
    account = await load_trade_account(session, account_id)
    known_users = KnownUserRepository(session)
    await known_users.hold_email(email)  # the user's registration or profile, arriving now, waits its turn
    existing = await known_users.by_email(email)
    member = account.add_member(
        actor, email=email, confirm_email=confirm_email, details=details, type=type,
        existing_user=existing, now=ctx.clock.now(),
    )
    await TradeAccountRepository(session).save(account)
    if member.status is MemberStatus.INVITED:  # TA-05: told who invited them where, in this transaction
        inviter = account.member_for(actor.user_id)
        mail = invitation_mail(account.company.company_name, inviter, member, ctx.public_url)  # type: ignore[arg-type]
        await MailRepository(session).enqueue(mail, ctx.clock.now())
    return member


async def change_user(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, account_id: uuid.UUID, member_id: uuid.UUID,
    *, details: PersonDetails, type: MemberType,
):
    account = await load_trade_account(session, account_id)
    member = account.change_member(actor, member_id, details=details, type=type, now=ctx.clock.now())
    await TradeAccountRepository(session).save(account)
    return member


async def remove_user(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, account_id: uuid.UUID, member_id: uuid.UUID
) -> None:
    account = await load_trade_account(session, account_id)
    account.remove_member(actor, member_id, ctx.clock.now())
    await TradeAccountRepository(session).save(account)


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
