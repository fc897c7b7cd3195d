"""What trade-accounts' and ctpat's events tell documents: who is a Trade Account user, a model's contact or its
SCSS (DOC-01..DOC-03). A contact removed in ctpat loses the Partner Library with the next ContactsChanged."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from documents.repository import ReadModels


async def member_known(session: AsyncSession, trade_account_id: uuid.UUID, member_id: uuid.UUID,
                       user_id: uuid.UUID | None, status: str) -> None:
    await ReadModels(session).member(member_id, trade_account_id, user_id, status)


async def member_removed(session: AsyncSession, member_id: uuid.UUID) -> None:
    await ReadModels(session).member_removed(member_id)


async def company_named(session: AsyncSession, trade_account_id: uuid.UUID, name: str) -> None:
    await ReadModels(session).company_named(trade_account_id, name)


async def model_known(session: AsyncSession, model_id: uuid.UUID, trade_account_id: uuid.UUID,
                      business_types: list[str]) -> None:
    await ReadModels(session).model(model_id, trade_account_id, business_types=business_types)


async def contacts_changed(session: AsyncSession, model_id: uuid.UUID, trade_account_id: uuid.UUID,
                           member_ids: list[uuid.UUID]) -> None:
    models = ReadModels(session)
    await models.model(model_id, trade_account_id)
    await models.contacts(model_id, member_ids)


async def scss_assigned(session: AsyncSession, model_id: uuid.UUID, trade_account_id: uuid.UUID,
                        scss_user_id: uuid.UUID) -> None:
    """DOC-03: the assigned SCSS reaches the Partner Library; a reassigned one no longer does."""
    await ReadModels(session).model(model_id, trade_account_id, scss_user_id=scss_user_id)


async def model_moved(session: AsyncSession, model_id: uuid.UUID, trade_account_id: uuid.UUID) -> None:
    """A Trade Account split or merge moved the model; its Partner Library goes with it, unchanged."""
    await ReadModels(session).model(model_id, trade_account_id)
