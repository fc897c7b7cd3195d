"""What svi takes from other services' events: ctpat's Security Models and trade-accounts' names and users."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from portal_events import Envelope
from portal_events.ctpat import (
    SECURITY_MODEL_TOPIC,
    AgreementRevoked,
    AgreementSigned,
    ContactsChanged,
    ScssAssigned,
    SecurityModelCreated,
    SecurityModelMoved,
    StatusChanged,
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
from svi import use_cases

CTPAT_TOPICS = [SECURITY_MODEL_TOPIC]
TRADE_ACCOUNT_TOPICS = [TRADE_ACCOUNT_TOPIC]


def ctpat_handlers() -> Mapping[str, Handler]:
    """SV-01, SV-02, SV-08: status, the SVI agreement, contacts and the SCSS of every model."""

    async def created(session: AsyncSession, envelope: Envelope) -> None:
        e = SecurityModelCreated.model_validate(envelope.data)
        await use_cases.model_known(session, e.security_model_id, e.trade_account_id, e.business_types)

    async def status(session: AsyncSession, envelope: Envelope) -> None:
        e = StatusChanged.model_validate(envelope.data)
        await use_cases.status_changed(session, e.security_model_id, e.trade_account_id, e.status, e.certified,
                                       e.business_types)

    async def signed(session: AsyncSession, envelope: Envelope) -> None:
        e = AgreementSigned.model_validate(envelope.data)
        if e.agreement == "svi":
            await use_cases.agreement_changed(session, e.security_model_id, e.trade_account_id, signed=True,
                                              now=e.occurred_at)

    async def revoked(session: AsyncSession, envelope: Envelope) -> None:
        e = AgreementRevoked.model_validate(envelope.data)
        if e.agreement == "svi":
            await use_cases.agreement_changed(session, e.security_model_id, e.trade_account_id, signed=False,
                                              now=e.occurred_at)

    async def contacts(session: AsyncSession, envelope: Envelope) -> None:
        e = ContactsChanged.model_validate(envelope.data)
        await use_cases.contacts_changed(session, e.security_model_id, e.trade_account_id,
                                         [c.member_id for c in e.contacts],
                                         next((c.member_id for c in e.contacts if c.primary_poc), None))

    async def scss(session: AsyncSession, envelope: Envelope) -> None:
        e = ScssAssigned.model_validate(envelope.data)
        await use_cases.scss_assigned(session, e.security_model_id, e.trade_account_id, e.scss_user_id)

    async def moved(session: AsyncSession, envelope: Envelope) -> None:
        e = SecurityModelMoved.model_validate(envelope.data)
        await use_cases.model_moved(session, e.security_model_id, e.to_trade_account_id)

    return {
        SecurityModelCreated.event_type: created, StatusChanged.event_type: status,
        AgreementSigned.event_type: signed, AgreementRevoked.event_type: revoked,
        ContactsChanged.event_type: contacts, ScssAssigned.event_type: scss, SecurityModelMoved.event_type: moved,
    }


def trade_account_handlers() -> Mapping[str, Handler]:
    """SV-04: company names; and the users behind contacts' memberships."""

    async def named(session: AsyncSession, envelope: Envelope) -> None:
        e = (TradeAccountCreated if envelope.type == TradeAccountCreated.event_type
             else CompanyInformationChanged).model_validate(envelope.data)
        await use_cases.company_named(session, e.trade_account_id, e.company_information.company_name)

    async def member(session: AsyncSession, envelope: Envelope) -> None:
        e = (TradeAccountUserAdded if envelope.type == TradeAccountUserAdded.event_type
             else TradeAccountUserChanged).model_validate(envelope.data)
        await use_cases.member_known(session, e.trade_account_id, e.member.member_id, e.member.user_id,
                                     str(e.member.status), email=str(e.member.email),
                                     name=f"{e.member.first_name} {e.member.last_name}")

    async def removed(session: AsyncSession, envelope: Envelope) -> None:
        e = TradeAccountUserRemoved.model_validate(envelope.data)
        await use_cases.member_removed(session, e.trade_account_id, e.member_id)

    return {
        TradeAccountCreated.event_type: named, CompanyInformationChanged.event_type: named,
        TradeAccountUserAdded.event_type: member, TradeAccountUserChanged.event_type: member,
        TradeAccountUserRemoved.event_type: removed,
    }
