"""What ctpat's events tell trade-accounts: where each Security Model is, its SCSS, and what it uses (TA-16).

TA-16 says addresses and users exist in the Organization Profile before a
Security Model uses them. ctpat checks that when a user picks them; its events
can still name an entry that is not (or no longer) in the model's Trade
Account: removed meanwhile, or named before ctpat heard of a split or merge.
An event cannot be refused, so trade-accounts records only the entries that
exist in the Trade Account holding the model (as this service knows it: its
own splits and merges move models first), and logs the others as
`security model uses entries outside its trade account` with their ids: they
protect nothing here, and an operator or ctpat's next event puts them right.
"""

from __future__ import annotations

import uuid

import structlog

from trade_accounts.repository import SecurityModelRepository, TradeAccountRepository

log = structlog.get_logger("trade_accounts.from_ctpat")


async def security_model_created(session, model_id: uuid.UUID, trade_account_id: uuid.UUID) -> None:
    await SecurityModelRepository(session).created(model_id, trade_account_id)


async def security_model_moved(session, model_id: uuid.UUID, to_account: uuid.UUID) -> None:
    models = SecurityModelRepository(session)
    await models.moved([model_id], to_account)
    used = await models.used_by([model_id])
    # What it used in its former account stays recorded only where it exists in the new one.
    await security_model_uses(session, model_id, to_account, address_ids=list(used.address_ids),
                              member_ids=list(used.member_ids))


async def scss_assigned(session, model_id: uuid.UUID, trade_account_id: uuid.UUID, scss_user_id: uuid.UUID) -> None:
    await SecurityModelRepository(session).scss_assigned(model_id, trade_account_id, scss_user_id)


async def security_model_uses(
    session, model_id: uuid.UUID, trade_account_id: uuid.UUID, *, address_ids: list[uuid.UUID] | None = None,
    member_ids: list[uuid.UUID] | None = None,
) -> None:
    """TA-16: what a Security Model draws from the Organization Profile stays there while used."""
    models = SecurityModelRepository(session)
    holder = await models.location(model_id) or trade_account_id
    account = await TradeAccountRepository(session).get(holder)
    for kind, named, present in (
        ("address", address_ids, {a.id for a in account.addresses} if account else set()),
        ("member", member_ids, {m.id for m in account.members} if account else set()),
    ):
        if named is None:
            continue
        outside = [e for e in named if e not in present]
        if outside:
            log.warning("security model uses entries outside its trade account", security_model_id=str(model_id),
                        trade_account_id=str(holder), named_trade_account_id=str(trade_account_id), kind=kind,
                        entry_ids=[str(e) for e in outside])
        await models.uses(model_id, holder, kind, [e for e in named if e in present])


async def security_model_status_changed(
    session, model_id: uuid.UUID, trade_account_id: uuid.UUID, status: str,
) -> None:
    """CT-14 as trade-accounts needs it: a withdrawn or removed model no longer makes a link need Management."""
    await SecurityModelRepository(session).status_changed(model_id, trade_account_id, status)
