"""What ctpat's and trade-accounts' events tell svi: who takes part (SV-01), who acts for a model, and names."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from svi.repository import ParticipantRepository, RequestRepository


async def model_known(session: AsyncSession, model_id: uuid.UUID, trade_account_id: uuid.UUID,
                      business_types: list[str]) -> None:
    await ParticipantRepository(session).upsert(model_id, trade_account_id, business_types=business_types)


async def status_changed(session: AsyncSession, model_id: uuid.UUID, trade_account_id: uuid.UUID, status: str,
                         certified: bool, business_types: list[str]) -> None:
    """SV-04, SV-08: search and the Certified column follow the latest status at once."""
    await ParticipantRepository(session).upsert(model_id, trade_account_id, status=status, certified=certified,
                                                business_types=business_types)


async def agreement_changed(session: AsyncSession, model_id: uuid.UUID, trade_account_id: uuid.UUID, *,
                            signed: bool, now: datetime) -> None:
    """SV-01, SV-02: signing lets the model take part; revoking ends every request it is on, both sides."""
    await ParticipantRepository(session).upsert(model_id, trade_account_id, svi_signed=signed)
    if not signed:
        requests = RequestRepository(session)
        for request in await requests.listed_of(model_id):
            request.end(now, "The SVI agreement was revoked.")
            await requests.save(request)


async def contacts_changed(session: AsyncSession, model_id: uuid.UUID, trade_account_id: uuid.UUID,
                           member_ids: list[uuid.UUID], primary_poc: uuid.UUID | None) -> None:
    await ParticipantRepository(session).upsert(model_id, trade_account_id,
                                                contacts=[str(m) for m in member_ids], primary_poc=primary_poc)


async def scss_assigned(session: AsyncSession, model_id: uuid.UUID, trade_account_id: uuid.UUID,
                        scss_user_id: uuid.UUID) -> None:
    await ParticipantRepository(session).upsert(model_id, trade_account_id, scss_user_id=scss_user_id)


async def company_named(session: AsyncSession, trade_account_id: uuid.UUID, name: str) -> None:
    await ParticipantRepository(session).company_named(trade_account_id, name)


async def member_known(session: AsyncSession, trade_account_id: uuid.UUID, member_id: uuid.UUID,
                       user_id: uuid.UUID | None, status: str, *, email: str, name: str) -> None:
    await ParticipantRepository(session).member(trade_account_id, member_id, user_id, status, email=email,
                                                name=name)


async def member_removed(session: AsyncSession, trade_account_id: uuid.UUID, member_id: uuid.UUID) -> None:
    await ParticipantRepository(session).member_removed(trade_account_id, member_id)


async def model_moved(session: AsyncSession, model_id: uuid.UUID, trade_account_id: uuid.UUID) -> None:
    """A Trade Account split or merge moved the model: its company name is now the new account's."""
    await ParticipantRepository(session).upsert(model_id, trade_account_id)
