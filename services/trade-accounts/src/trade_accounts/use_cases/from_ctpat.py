"""What ctpat's events tell trade-accounts: where each Security Model is, its SCSS, and what it uses (TA-16)."""

from __future__ import annotations

import uuid

from trade_accounts.repository import SecurityModelRepository


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
