"""What trade-accounts', ctpat's and documents' events tell messaging: who takes part (MSG-01), what may be
attached (MSG-04), and the system messages they cause (MSG-05)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from messaging.repository import ReadModels
from messaging.use_cases.threads import post_system_thread

# System threads take their id from what caused them (one per model and review year), never from chance.
_SYSTEM = uuid.UUID("0d6f1c52-8a3b-4c1e-9f7a-5b2e4d6c8a10")


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
    """MSG-01: reassigning the SCSS moves the model's threads to the new one."""
    await ReadModels(session).scss_assigned(model_id, trade_account_id, scss_user_id)


async def model_moved(session: AsyncSession, model_id: uuid.UUID, trade_account_id: uuid.UUID) -> None:
    await ReadModels(session).model(model_id, trade_account_id)


async def document_uploaded(session: AsyncSession, document_id: uuid.UUID, model_id: uuid.UUID | None,
                            title: str) -> None:
    await ReadModels(session).document(document_id, model_id, title)


async def document_removed(session: AsyncSession, document_id: uuid.UUID) -> None:
    await ReadModels(session).document_removed(document_id)


async def annual_review_window_opened(session: AsyncSession, model_id: uuid.UUID, trade_account_id: uuid.UUID,
                                      review_year: int, due_date: date, now: datetime) -> None:
    """MSG-05 (and the manual's annual review): ninety days before the due date the account receives a message
    with the due date."""
    await ReadModels(session).model(model_id, trade_account_id)
    await post_system_thread(
        session, uuid.uuid5(_SYSTEM, f"annual-review:{model_id}:{review_year}"), model_id,
        subject=f"Annual review due {due_date:%B} {due_date.day}, {due_date.year}",
        body=(f"Your C-TPAT annual review for {review_year} is open. Affirm each statement of the review and submit "
              f"it by {due_date:%B} {due_date.day}, {due_date.year}. Reply here to ask your SCSS about it."),
        now=now)
