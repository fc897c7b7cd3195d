"""What trade-accounts', ctpat's and documents' events tell messaging: who takes part (MSG-01), what may be
attached (MSG-04), and the system messages they cause (MSG-05)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from messaging.repository import ReadModels
from messaging.use_cases.context import MessagingContext
from messaging.use_cases.threads import name_changed, post_system_thread

# System threads take their id from what caused them (one per model and review year), never from chance.
_SYSTEM = uuid.UUID("0d6f1c52-8a3b-4c1e-9f7a-5b2e4d6c8a10")


async def member_known(session: AsyncSession, trade_account_id: uuid.UUID, member_id: uuid.UUID,
                       user_id: uuid.UUID | None, status: str, email: str, member_type: str) -> None:
    await ReadModels(session).member(member_id, trade_account_id, user_id, status, email, member_type)


async def staff_known(session: AsyncSession, user_id: uuid.UUID, email: str) -> None:
    await ReadModels(session).staff(user_id, email)


async def staff_email_changed(session: AsyncSession, user_id: uuid.UUID, email: str) -> None:
    await ReadModels(session).staff_email_changed(user_id, email)


async def member_removed(session: AsyncSession, member_id: uuid.UUID) -> None:
    await ReadModels(session).member_removed(member_id)


async def company_named(session: AsyncSession, ctx: MessagingContext, trade_account_id: uuid.UUID,
                        name: str) -> None:
    previous = await ReadModels(session).company_named(trade_account_id, name)
    if previous is not None and previous != name:
        await name_changed(session, ctx, trade_account_id, previous, name)


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


def _day(d: date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


async def annual_review_window_opened(session: AsyncSession, ctx: MessagingContext, model_id: uuid.UUID,
                                      trade_account_id: uuid.UUID, review_year: int, due_date: date) -> None:
    """MSG-05 (and the manual's annual review): ninety days before the due date the account receives a message
    with the due date."""
    await ReadModels(session).model(model_id, trade_account_id)
    await post_system_thread(
        session, ctx, uuid.uuid5(_SYSTEM, f"annual-review:{model_id}:{review_year}"), model_id,
        subject=f"Annual review due {_day(due_date)}",
        body=(f"Your C-TPAT annual review for {review_year} is open. Affirm each statement of the review and submit "
              f"it by {_day(due_date)}. Reply here to ask your SCSS about it."))


STATUS_NAMES = {"under_review": "Under Review", "certified_validated": "Certified Validated (Tier 2)",
                "certified_exceeding": "Certified Exceeding (Tier 3)",
                "certified_non_importer_validated": "Certified Validated"}


async def status_changed(session: AsyncSession, ctx: MessagingContext, model_id: uuid.UUID,
                         trade_account_id: uuid.UUID, version: int, status: str, previous: str | None,
                         reason: str, anniversary: date | None) -> None:
    """MSG-05: a change of the model's C-TPAT status (or of its dates) is told to its contacts, with CBP's reason."""
    await ReadModels(session).model(model_id, trade_account_id)
    name = STATUS_NAMES.get(status, status.replace("_", " ").capitalize())
    if previous == status:
        subject = f"C-TPAT status {name}: dates changed"
    else:
        subject = f"C-TPAT status changed to {name}"
    body = f"Your C-TPAT status is now {name}" + (f" (it was {STATUS_NAMES.get(previous, previous.replace('_', ' '))})"
                                                   if previous and previous != status else "") + "."
    if anniversary:
        body += f" Your certification anniversary is {_day(anniversary)}."
    body += f"\n\nReason given: {reason}" if reason else ""
    await post_system_thread(session, ctx, uuid.uuid5(_SYSTEM, f"status:{model_id}:{version}"), model_id,
                             subject=subject, body=body)


async def request_decided(session: AsyncSession, ctx: MessagingContext, request_id: uuid.UUID, version: int,
                          kind: str, trade_account_ids: list[uuid.UUID], approval: str, decision: str,
                          reason: str | None, status: str) -> None:
    """MSG-05: a decision on a Trade Account request (link, delink, split, merge) is told to the C-TPAT accounts of
    the Trade Accounts it concerns, one system thread each."""
    who = "Management" if approval == "management" else "the Company Administrator"
    subject = f"Trade Account {kind} request {decision} by {who}"
    body = (f"The {kind} request concerning your Trade Account was {decision} by {who}; the request is now "
            f"{status.replace('_', ' ')}.") + (f"\n\nReason given: {reason}" if reason else "")
    for model_id in await ReadModels(session).models_of_accounts(trade_account_ids):
        await post_system_thread(session, ctx, uuid.uuid5(_SYSTEM, f"request:{request_id}:{version}:{model_id}"),
                                 model_id, subject=subject, body=body)


async def operation_decided(session: AsyncSession, ctx: MessagingContext, operation_id: uuid.UUID, kind: str,
                            trade_account_id: uuid.UUID, model_ids: list[uuid.UUID], decision: str,
                            reason: str | None) -> None:
    """MSG-05: Management's decision on an expand, extract, split or merge is told to every model it concerns
    (the model asked about, the one merged into it, the one a split or extract made), one thread each."""
    subject = f"Security Model {kind} request {decision} by C-TPAT Management"
    body = (f"C-TPAT Management {decision} the request to {kind} this Security Model."
            + (f"\n\nReason given: {reason}" if reason else ""))
    models = ReadModels(session)
    for model_id in dict.fromkeys(model_ids):
        # A split's new model is in the same Trade Account; its SecurityModelCreated may come a moment later.
        await models.model(model_id, trade_account_id)
        await post_system_thread(session, ctx, uuid.uuid5(_SYSTEM, f"operation:{operation_id}:{model_id}"),
                                 model_id, subject=subject, body=body)
