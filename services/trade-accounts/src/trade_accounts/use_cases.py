"""Trade-accounts' use cases: one async function per command or query, inside the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.clock import Clock
from servicekit.errors import Conflict, FieldError, Forbidden, NotFound
from servicekit.outbox import Outbox
from trade_accounts.domain.actors import Actor, KnownUser
from trade_accounts.domain.addresses import Address
from trade_accounts.domain.requests import Decision, RequestKind, TradeAccountRequest
from trade_accounts.domain.trade_account import CompanyInformation, MemberType, PersonDetails, TradeAccount
from trade_accounts.repository import (
    AccountFactsRepository,
    KnownUserRepository,
    RequestRepository,
    SecurityModelRepository,
    TradeAccountRepository,
)


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
    address = account.add_address(actor, fields, ctx.clock.now())
    await _save(session, ctx, account, loaded)
    return address


async def change_address(
    session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, account_id: uuid.UUID,
    address_id: uuid.UUID, fields: dict,
) -> Address:
    account, loaded = await _load(session, account_id)
    address = account.change_address(actor, address_id, fields, ctx.clock.now())
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


# --- Trade Account operations: link, delink, split, merge (TA-08..TA-15) ------------------------


async def _facts_visible_to(
    session: AsyncSession, actor: Actor, account_ids: list[uuid.UUID], *, seen_through: uuid.UUID | None = None
):
    """The accounts' facts; an account the actor cannot see is 'not found', whatever the reason.

    `seen_through`: the actor need see only this one (a subsidiary's administrator
    asking to leave a parent they are no user of); the others must merely exist.
    """
    facts = await AccountFactsRepository(session).facts(account_ids)
    for account_id in account_ids:
        known = facts.get(account_id)
        if known is None:
            raise NotFound("No such Trade Account.")
        must_see = seen_through is None or account_id == seen_through
        if must_see and actor.user_id not in known.users and not actor.is_cbp_oversight:
            raise NotFound("No such Trade Account.")
    return facts


async def _save_request(session, ctx: TradeAccountsContext, request: TradeAccountRequest, *, new: bool = False) -> None:
    repo = RequestRepository(session)
    await (repo.add(request) if new else repo.save(request))
    for event in request.pull_events():
        await ctx.outbox.add(session, event)


async def _submit(session: AsyncSession, ctx: TradeAccountsContext, actor: Actor, request: TradeAccountRequest):
    repo = RequestRepository(session)
    # One pending request per account at a time: two could not both take effect.
    busy = await repo.pending_touching(request.account_ids)
    if busy:
        raise Conflict(
            "Another request on these Trade Accounts is still pending; decide or cancel it first.",
            [FieldError("request", f"pending request {busy[0].id}")],
        )
    facts = await AccountFactsRepository(session).facts(request.account_ids)
    if request.take_effect_at_once(actor, facts, ctx.clock.now()):
        await _take_effect(session, ctx, request)
    await _save_request(session, ctx, request, new=True)
    return request


async def request_link(session, ctx: TradeAccountsContext, actor: Actor, *, requesting_account_id: uuid.UUID,
                       parent_id: uuid.UUID, subsidiary_id: uuid.UUID, reason: str) -> TradeAccountRequest:
    facts = await _facts_visible_to(session, actor, [parent_id, subsidiary_id])
    request = TradeAccountRequest.request_link(
        actor, requesting_account_id=requesting_account_id, parent=facts[parent_id],
        subsidiary=facts[subsidiary_id], reason=reason, now=ctx.clock.now(),
    )
    return await _submit(session, ctx, actor, request)


async def request_delink(session, ctx: TradeAccountsContext, actor: Actor, *, requesting_account_id: uuid.UUID,
                         parent_id: uuid.UUID, subsidiary_id: uuid.UUID, reason: str) -> TradeAccountRequest:
    facts = await _facts_visible_to(session, actor, [parent_id, subsidiary_id], seen_through=requesting_account_id)
    request = TradeAccountRequest.request_delink(
        actor, requesting_account_id=requesting_account_id, parent=facts[parent_id],
        subsidiary=facts[subsidiary_id], reason=reason, now=ctx.clock.now(),
    )
    return await _submit(session, ctx, actor, request)


async def request_merge(session, ctx: TradeAccountsContext, actor: Actor, *, requesting_account_id: uuid.UUID,
                        survivor_id: uuid.UUID, merged_id: uuid.UUID, reason: str) -> TradeAccountRequest:
    facts = await _facts_visible_to(session, actor, [survivor_id, merged_id])
    request = TradeAccountRequest.request_merge(
        actor, requesting_account_id=requesting_account_id, survivor=facts[survivor_id], merged=facts[merged_id],
        reason=reason, now=ctx.clock.now(),
    )
    return await _submit(session, ctx, actor, request)


async def request_split(session, ctx: TradeAccountsContext, actor: Actor, *, source_id: uuid.UUID,
                        new_company_name: str, security_model_ids: list[uuid.UUID], reason: str) -> TradeAccountRequest:
    facts = await _facts_visible_to(session, actor, [source_id])
    request = TradeAccountRequest.request_split(
        actor, source=facts[source_id], new_company_name=new_company_name, security_model_ids=security_model_ids,
        reason=reason, now=ctx.clock.now(),
    )
    return await _submit(session, ctx, actor, request)


async def _request_visible_to(session, actor: Actor, request_id: uuid.UUID, *, for_update: bool = False):
    request = await RequestRepository(session).get(request_id, for_update=for_update)
    if request is None:
        raise NotFound("No such request.")
    facts = await AccountFactsRepository(session).facts(request.account_ids)
    involved = any(actor.user_id in f.users for f in facts.values())
    if not (involved or actor.user_id == request.requested_by or actor.has_role("management")):
        raise NotFound("No such request.")
    return request, facts


async def get_request(session, actor: Actor, request_id: uuid.UUID) -> TradeAccountRequest:
    request, _ = await _request_visible_to(session, actor, request_id)
    return request


async def decide_request(session, ctx: TradeAccountsContext, actor: Actor, request_id: uuid.UUID,
                         decision: Decision, reason: str | None) -> TradeAccountRequest:
    request, facts = await _request_visible_to(session, actor, request_id, for_update=True)
    if request.decide(actor, decision, reason, facts, ctx.clock.now()):
        await _take_effect(session, ctx, request)
    await _save_request(session, ctx, request)
    return request


async def cancel_request(
    session, ctx: TradeAccountsContext, actor: Actor, request_id: uuid.UUID
) -> TradeAccountRequest:
    request, _ = await _request_visible_to(session, actor, request_id, for_update=True)
    request.cancel(actor, ctx.clock.now())
    await _save_request(session, ctx, request)
    return request


async def _take_effect(session, ctx: TradeAccountsContext, request: TradeAccountRequest) -> None:
    now = ctx.clock.now()
    if request.kind is RequestKind.LINK:
        subsidiary, loaded = await _load(session, request.subsidiary_id)
        subsidiary.link_under(request.parent_id, request.id, now)
        await _save(session, ctx, subsidiary, loaded)
    elif request.kind is RequestKind.DELINK:
        subsidiary, loaded = await _load(session, request.subsidiary_id)
        subsidiary.delink(request.id, now)
        await _save(session, ctx, subsidiary, loaded)
    elif request.kind is RequestKind.SPLIT:
        source, loaded = await _load(session, request.parent_id)
        requester = source.member_for(request.requested_by)
        if requester is None:
            raise Conflict("The requester is no longer a user of the account being split.")
        new = source.split_off(requester, request.new_company_name or "", request.moving_security_model_ids,
                               request.id, now)
        await TradeAccountRepository(session).add(new)
        await _publish(session, ctx, new)
        await _save(session, ctx, source, loaded)
        await SecurityModelRepository(session).moved(request.moving_security_model_ids, new.id)
    elif request.kind is RequestKind.MERGE:
        survivor, survivor_loaded = await _load(session, request.parent_id)
        merged, merged_loaded = await _load(session, request.subsidiary_id)
        moved = await SecurityModelRepository(session).move_all(merged.id, survivor.id)
        children = await AccountFactsRepository(session).children(merged.id)
        survivor.absorb(merged, moved, request.id, now)
        # The merged account first: its rows give up the addresses and users the survivor takes over.
        await _save(session, ctx, merged, merged_loaded)
        await _save(session, ctx, survivor, survivor_loaded)
        for child_id in children:
            child, child_loaded = await _load(session, child_id)
            child.link_under(survivor.id, request.id, now)
            await _save(session, ctx, child, child_loaded)


@dataclass(frozen=True)
class Tasks:
    to_act_on: list[TradeAccountRequest]
    requested: list[TradeAccountRequest]


async def tasks(session, actor: Actor) -> Tasks:
    """TA-15: the pending requests this user can decide, and the state of those they made."""
    repo = RequestRepository(session)
    mine = [r.trade_account_id for r in await TradeAccountRepository(session).navigation(actor.user_id)
            if r.role is MemberType.COMPANY_ADMINISTRATOR]
    candidates = {r.id: r for r in await repo.pending_touching(mine)} if mine else {}
    if actor.has_role("management"):
        candidates.update({r.id: r for r in await repo.pending_needing_management()})
    account_ids = list({a for r in candidates.values() for a in r.account_ids})
    facts = await AccountFactsRepository(session).facts(account_ids) if account_ids else {}
    to_act_on = [r for r in candidates.values() if r.approval_for(actor, facts) is not None]
    return Tasks(sorted(to_act_on, key=lambda r: r.requested_at), await repo.made_by(actor.user_id))


# --- what ctpat tells us ----------------------------------------------------------------------


async def security_model_created(session, model_id: uuid.UUID, trade_account_id: uuid.UUID) -> None:
    await SecurityModelRepository(session).created(model_id, trade_account_id)


async def security_model_moved(session, model_id: uuid.UUID, to_account: uuid.UUID) -> None:
    await SecurityModelRepository(session).moved([model_id], to_account)


async def scss_assigned(session, model_id: uuid.UUID, trade_account_id: uuid.UUID, scss_user_id: uuid.UUID) -> None:
    await SecurityModelRepository(session).scss_assigned(model_id, trade_account_id, scss_user_id)


async def security_model_uses(
    session, model_id: uuid.UUID, trade_account_id: uuid.UUID, *, address_ids: list[uuid.UUID] | None = None,
    member_ids: list[uuid.UUID] | None = None,
) -> None:
    """TA-16: what a Security Model draws from the Organization Profile stays there while used."""
    models = SecurityModelRepository(session)
    if address_ids is not None:
        await models.uses(model_id, trade_account_id, "address", address_ids)
    if member_ids is not None:
        await models.uses(model_id, trade_account_id, "member", member_ids)
