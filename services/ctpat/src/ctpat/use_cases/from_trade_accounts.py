"""What other services' events tell ctpat: each account's users and addresses (TA-16), emails (ID-09), evidence."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ctpat.domain.trade_accounts import AccountAddress, AccountMember
from ctpat.repository import (
    EvidenceRepository,
    SecurityModelRepository,
    StaffRepository,
    TradeAccountReadModel,
    ValidationRepository,
)


async def trade_account_created(session: AsyncSession, trade_account_id: uuid.UUID, company_name: str) -> None:
    await TradeAccountReadModel(session).account_created(trade_account_id, company_name)


async def member_known(session: AsyncSession, trade_account_id: uuid.UUID, member: AccountMember) -> None:
    await TradeAccountReadModel(session).member_upserted(trade_account_id, member)


async def member_removed(session: AsyncSession, trade_account_id: uuid.UUID, member_id: uuid.UUID) -> None:
    await TradeAccountReadModel(session).member_removed(trade_account_id, member_id)


async def address_known(session: AsyncSession, trade_account_id: uuid.UUID, address: AccountAddress) -> None:
    await TradeAccountReadModel(session).address_upserted(trade_account_id, address)


async def address_removed(session: AsyncSession, trade_account_id: uuid.UUID, address_id: uuid.UUID) -> None:
    await TradeAccountReadModel(session).address_removed(trade_account_id, address_id)


async def user_email_changed(session: AsyncSession, user_id: uuid.UUID, email: str) -> None:
    await TradeAccountReadModel(session).user_email_changed(user_id, email)


async def evidence_uploaded(
    session: AsyncSession, *, document_id: uuid.UUID, model_id: uuid.UUID, criterion_id: str, title: str,
    uploaded_at: datetime,
) -> None:
    """CT-08: a new version of the same document replaces its title, never adds a second piece of evidence."""
    await EvidenceRepository(session).uploaded(document_id, model_id, criterion_id, title, uploaded_at)


async def evidence_removed(session: AsyncSession, document_id: uuid.UUID) -> None:
    """DOC-04: a document taken out of its library is evidence of nothing any more, for a criterion or for a
    Validation Response item alike (a criterion needing evidence shows it missing again)."""
    await EvidenceRepository(session).removed(document_id)
    await ValidationRepository(session).evidence_removed(document_id)


async def staff_registered(session: AsyncSession, user_id: uuid.UUID, email: str, roles: list[str]) -> None:
    """CT-12: CBP staff ctpat may assign (an SCSS) or hear from (Management)."""
    await StaffRepository(session).registered(user_id, email, roles)


async def staff_email_changed(session: AsyncSession, user_id: uuid.UUID, email: str) -> None:
    await StaffRepository(session).email_changed(user_id, email)


async def models_moved_by_split(
    session: AsyncSession, moved: list[uuid.UUID], new_trade_account_id: uuid.UUID, now: datetime,
) -> None:
    """TA-13: a Trade Account split moved these models to the new account (their addresses and users were
    copied there under the same ids); ctpat follows and says so with SecurityModelMoved."""
    models = SecurityModelRepository(session)
    for model_id in moved:
        model = await models.get(model_id)
        if model is not None:
            model.move_to(new_trade_account_id, now)
            await models.save(model)


async def models_moved_by_merge(
    session: AsyncSession, moved: list[uuid.UUID], survivor_id: uuid.UUID, merged_id: uuid.UUID, now: datetime,
) -> None:
    """TA-14: the merged account's models now belong to the survivor. A person listed in both accounts keeps the
    survivor's membership, so a contact drawn from the merged account's membership follows the survivor's one
    (the same person: the same email)."""
    accounts = TradeAccountReadModel(session)
    survivor, merged = await accounts.get(survivor_id), await accounts.get(merged_id)
    by_email = {m.email.lower(): m.member_id for m in (survivor.members.values() if survivor else [])}
    models = SecurityModelRepository(session)
    for model_id in moved:
        model = await models.get(model_id)
        if model is None:
            continue
        renamed = {}
        for contact in model.contacts:
            if survivor and contact.member_id in survivor.members:
                continue
            former = merged.members.get(contact.member_id) if merged else None
            if former is not None and former.email.lower() in by_email:
                renamed[contact.member_id] = by_email[former.email.lower()]
        model.move_to(survivor_id, now)
        model.remap_contacts(renamed, now)
        await models.save(model)
