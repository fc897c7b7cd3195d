"""What documents takes from other services' events: trade-accounts' users and names, ctpat's contacts and SCSS."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from documents import use_cases
from portal_events import Envelope
from portal_events.ctpat import (
    SECURITY_MODEL_TOPIC,
    ContactsChanged,
    ScssAssigned,
    SecurityModelCreated,
    SecurityModelMoved,
)
from portal_events.trade_accounts import (
    TRADE_ACCOUNT_TOPIC,
    CompanyInformationChanged,
    TradeAccountCreated,
    TradeAccountUserAdded,
    TradeAccountUserChanged,
    TradeAccountUserRemoved,
)
from servicekit.consumer import Handler

CTPAT_TOPICS = [SECURITY_MODEL_TOPIC]
TRADE_ACCOUNT_TOPICS = [TRADE_ACCOUNT_TOPIC]


def ctpat_handlers() -> Mapping[str, Handler]:
    """DOC-02, DOC-03: every model's contacts and its SCSS."""

    async def created(session: AsyncSession, envelope: Envelope) -> None:
        e = SecurityModelCreated.model_validate(envelope.data)
        await use_cases.model_known(session, e.security_model_id, e.trade_account_id, e.business_types)

    async def contacts(session: AsyncSession, envelope: Envelope) -> None:
        e = ContactsChanged.model_validate(envelope.data)
        await use_cases.contacts_changed(session, e.security_model_id, e.trade_account_id,
                                         [c.member_id for c in e.contacts])

    async def scss(session: AsyncSession, envelope: Envelope) -> None:
        e = ScssAssigned.model_validate(envelope.data)
        await use_cases.scss_assigned(session, e.security_model_id, e.trade_account_id, e.scss_user_id)

    async def moved(session: AsyncSession, envelope: Envelope) -> None:
        e = SecurityModelMoved.model_validate(envelope.data)
        await use_cases.model_moved(session, e.security_model_id, e.to_trade_account_id)

    return {
        SecurityModelCreated.event_type: created, ContactsChanged.event_type: contacts,
        ScssAssigned.event_type: scss, SecurityModelMoved.event_type: moved,
    }


def trade_account_handlers() -> Mapping[str, Handler]:
    """DOC-01: who is a user of a Trade Account; company names for the Partner Libraries' drop-down."""

    async def named(session: AsyncSession, envelope: Envelope) -> None:
        e = (TradeAccountCreated if envelope.type == TradeAccountCreated.event_type
             else CompanyInformationChanged).model_validate(envelope.data)
        await use_cases.company_named(session, e.trade_account_id, e.company_information.company_name)

    async def member(session: AsyncSession, envelope: Envelope) -> None:
        e = (TradeAccountUserAdded if envelope.type == TradeAccountUserAdded.event_type
             else TradeAccountUserChanged).model_validate(envelope.data)
        await use_cases.member_known(session, e.trade_account_id, e.member.member_id, e.member.user_id,
                                     str(e.member.status))

    async def removed(session: AsyncSession, envelope: Envelope) -> None:
        e = TradeAccountUserRemoved.model_validate(envelope.data)
        await use_cases.member_removed(session, e.member_id)

    return {
        TradeAccountCreated.event_type: named, CompanyInformationChanged.event_type: named,
        TradeAccountUserAdded.event_type: member, TradeAccountUserChanged.event_type: member,
        TradeAccountUserRemoved.event_type: removed,
    }
