"""Trade Account operations (TA-08..TA-15): link, delink, split and merge requests, their decisions, and Tasks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.auth import StaffRole
from servicekit.errors import Conflict, FieldError, NotFound
from trade_accounts.domain.actors import Actor
from trade_accounts.domain.requests import Decision, RequestKind, TradeAccountRequest
from trade_accounts.domain.trade_account import MemberType
from trade_accounts.repository import (
    AccountFactsRepository,
    RequestRepository,
    SecurityModelRepository,
    TradeAccountRepository,
)
from trade_accounts.use_cases.context import TradeAccountsContext
from trade_accounts.use_cases.organization_profile import load_trade_account


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
    await repo.add(request)
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


async def _request_visible_to(session, actor: Actor, request_id: uuid.UUID):
    request = await RequestRepository(session).get(request_id)
    if request is None:
        raise NotFound("No such request.")
    facts = await AccountFactsRepository(session).facts(request.account_ids)
    involved = any(actor.user_id in f.users for f in facts.values())
    if not (involved or actor.user_id == request.requested_by or actor.has_role(StaffRole.MANAGEMENT)):
        raise NotFound("No such request.")
    return request, facts


async def get_request(session, actor: Actor, request_id: uuid.UUID) -> TradeAccountRequest:
    request, facts = await _request_visible_to(session, actor, request_id)
    request.reconsider(facts)  # shown with the approvals today's facts need (TA-11); saved at the next decision
    return request


async def decide_request(session, ctx: TradeAccountsContext, actor: Actor, request_id: uuid.UUID,
                         decision: Decision, reason: str | None) -> TradeAccountRequest:
    request, facts = await _request_visible_to(session, actor, request_id)
    if request.decide(actor, decision, reason, facts, ctx.clock.now()):
        await _take_effect(session, ctx, request)
    await RequestRepository(session).save(request)
    return request


async def cancel_request(
    session, ctx: TradeAccountsContext, actor: Actor, request_id: uuid.UUID
) -> TradeAccountRequest:
    request, _ = await _request_visible_to(session, actor, request_id)
    request.cancel(actor, ctx.clock.now())
    await RequestRepository(session).save(request)
    return request


async def _take_effect(session, ctx: TradeAccountsContext, request: TradeAccountRequest) -> None:
    now = ctx.clock.now()
    accounts = TradeAccountRepository(session)
    if request.kind is RequestKind.LINK:
        subsidiary = await load_trade_account(session, request.subsidiary_id)
        subsidiary.link_under(request.parent_id, request.id, now)
        await accounts.save(subsidiary)
    elif request.kind is RequestKind.DELINK:
        subsidiary = await load_trade_account(session, request.subsidiary_id)
        subsidiary.delink(request.id, now)
        await accounts.save(subsidiary)
    elif request.kind is RequestKind.SPLIT:
        source = await load_trade_account(session, request.parent_id)
        requester = source.member_for(request.requested_by)
        if requester is None:
            raise Conflict("The requester is no longer a user of the account being split.")
        models = SecurityModelRepository(session)
        # TA-16: what the moving models use is copied into the new account, under the same ids.
        used = await models.used_by(request.moving_security_model_ids)
        new = source.split_off(requester, request.new_company_name or "", request.moving_security_model_ids,
                               used, request.id, now)
        await accounts.add(new)
        await accounts.save(source)
        await models.moved(request.moving_security_model_ids, new.id)
    elif request.kind is RequestKind.MERGE:
        survivor = await load_trade_account(session, request.parent_id)
        merged = await load_trade_account(session, request.subsidiary_id)
        models = SecurityModelRepository(session)
        moving = sorted((await models.of_accounts([merged.id]))[merged.id])
        children = await AccountFactsRepository(session).children(merged.id)
        renamed = survivor.absorb(merged, moving, request.id, now)
        await accounts.save(merged)
        await accounts.save(survivor)
        # TA-16: the moved models use the survivor's membership of a person listed in both.
        await models.move_all(merged.id, survivor.id, renamed)
        for child_id in children:
            child = await load_trade_account(session, child_id)
            child.link_under(survivor.id, request.id, now)
            await accounts.save(child)


@dataclass(frozen=True)
class Tasks:
    to_act_on: list[TradeAccountRequest]
    requested: list[TradeAccountRequest]


async def tasks(session, actor: Actor, trade_account_id: uuid.UUID | None = None) -> Tasks:
    """TA-15: the pending requests this user can decide, and the state of those they made;
    with `trade_account_id`, only those involving that Trade Account."""
    repo = RequestRepository(session)
    mine = [r.trade_account_id for r in await TradeAccountRepository(session).navigation(actor.user_id)
            if r.role is MemberType.COMPANY_ADMINISTRATOR]
    if trade_account_id is not None:
        mine = [a for a in mine if a == trade_account_id]
    candidates = {r.id: r for r in await repo.pending_touching(mine)} if mine else {}
    if actor.has_role(StaffRole.MANAGEMENT):
        candidates.update({r.id: r for r in await repo.pending_maybe_needing_management()
                           if trade_account_id is None or trade_account_id in r.account_ids})
    requested = await repo.made_by(actor.user_id, touching=trade_account_id)
    account_ids = list({a for r in [*candidates.values(), *requested] for a in r.account_ids})
    facts = await AccountFactsRepository(session).facts(account_ids) if account_ids else {}
    for request in [*candidates.values(), *requested]:
        request.reconsider(facts)  # TA-11: whether Management must decide is judged now
    to_act_on = [r for r in candidates.values() if r.approval_for(actor, facts) is not None]
    return Tasks(sorted(to_act_on, key=lambda r: r.requested_at), requested)
