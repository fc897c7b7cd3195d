"""What messaging takes from other services' events: users and names (trade-accounts), contacts, SCSS and the
annual review windows (ctpat), and the Partner Library's documents (documents)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from messaging import use_cases
from messaging.use_cases import MessagingContext
from portal_events import Envelope
from portal_events.ctpat import (
    MODEL_OPERATION_TOPIC,
    SECURITY_MODEL_TOPIC,
    AnnualReviewWindowOpened,
    ContactsChanged,
    ScssAssigned,
    SecurityModelCreated,
    SecurityModelMoved,
    SecurityModelOperationDecided,
    StatusChanged,
)
from portal_events.documents import DOCUMENT_TOPIC, DocumentRemoved, DocumentUploaded
from portal_events.identity import USER_TOPIC, UserEmailChanged, UserRegistered
from portal_events.trade_accounts import (
    REQUEST_TOPIC,
    TRADE_ACCOUNT_TOPIC,
    CompanyInformationChanged,
    TradeAccountCreated,
    TradeAccountRequestDecided,
    TradeAccountUserAdded,
    TradeAccountUserChanged,
    TradeAccountUserRemoved,
)
from servicekit.consumer import Handler

CTPAT_TOPICS = [SECURITY_MODEL_TOPIC]
TRADE_ACCOUNT_TOPICS = [TRADE_ACCOUNT_TOPIC]
DOCUMENT_TOPICS = [DOCUMENT_TOPIC]
REQUEST_TOPICS = [REQUEST_TOPIC]
USER_TOPICS = [USER_TOPIC]
OPERATION_TOPICS = [MODEL_OPERATION_TOPIC]


def ctpat_handlers(ctx: MessagingContext) -> Mapping[str, Handler]:
    """MSG-01: every model's contacts and SCSS; MSG-05: the annual review window opening, status changes."""

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

    async def review(session: AsyncSession, envelope: Envelope) -> None:
        e = AnnualReviewWindowOpened.model_validate(envelope.data)
        await use_cases.annual_review_window_opened(session, ctx, e.security_model_id, e.trade_account_id,
                                                    e.review_year, e.due_date)

    async def status(session: AsyncSession, envelope: Envelope) -> None:
        e = StatusChanged.model_validate(envelope.data)
        await use_cases.status_changed(session, ctx, e.security_model_id, e.trade_account_id, e.version, e.status,
                                       e.previous_status, e.reason, e.anniversary_date)

    return {
        SecurityModelCreated.event_type: created, ContactsChanged.event_type: contacts,
        ScssAssigned.event_type: scss, SecurityModelMoved.event_type: moved,
        AnnualReviewWindowOpened.event_type: review, StatusChanged.event_type: status,
    }


def trade_account_handlers(ctx: MessagingContext) -> Mapping[str, Handler]:
    """MSG-01: which user a contact's membership is; company names for the inbox, and a name changed closes the
    account's request to CBP."""

    async def named(session: AsyncSession, envelope: Envelope) -> None:
        e = (TradeAccountCreated if envelope.type == TradeAccountCreated.event_type
             else CompanyInformationChanged).model_validate(envelope.data)
        await use_cases.company_named(session, ctx, e.trade_account_id, e.company_information.company_name)

    async def member(session: AsyncSession, envelope: Envelope) -> None:
        e = (TradeAccountUserAdded if envelope.type == TradeAccountUserAdded.event_type
             else TradeAccountUserChanged).model_validate(envelope.data)
        await use_cases.member_known(session, e.trade_account_id, e.member.member_id, e.member.user_id,
                                     str(e.member.status), str(e.member.email), str(e.member.type))

    async def removed(session: AsyncSession, envelope: Envelope) -> None:
        e = TradeAccountUserRemoved.model_validate(envelope.data)
        await use_cases.member_removed(session, e.member_id)

    return {
        TradeAccountCreated.event_type: named, CompanyInformationChanged.event_type: named,
        TradeAccountUserAdded.event_type: member, TradeAccountUserChanged.event_type: member,
        TradeAccountUserRemoved.event_type: removed,
    }


def operation_handlers(ctx: MessagingContext) -> Mapping[str, Handler]:
    """MSG-05: Management's decisions on Security Model operations, told to the models concerned."""

    async def decided(session: AsyncSession, envelope: Envelope) -> None:
        e = SecurityModelOperationDecided.model_validate(envelope.data)
        concerned = [m for m in (e.security_model_id, e.other_model_id, e.resulting_model_id) if m is not None]
        await use_cases.operation_decided(session, ctx, e.operation_id, e.kind, e.trade_account_id, concerned,
                                          e.decision, e.reason)

    return {SecurityModelOperationDecided.event_type: decided}


def request_handlers(ctx: MessagingContext) -> Mapping[str, Handler]:
    """MSG-05: decisions on Trade Account requests, told to the C-TPAT accounts concerned."""

    async def decided(session: AsyncSession, envelope: Envelope) -> None:
        e = TradeAccountRequestDecided.model_validate(envelope.data)
        await use_cases.request_decided(session, ctx, e.request_id, e.version, str(e.kind), e.trade_account_ids,
                                        e.approval, e.decision, e.reason, str(e.status))

    return {TradeAccountRequestDecided.event_type: decided}


def identity_handlers() -> Mapping[str, Handler]:
    """Where an SCSS's notices go: CBP staff and their e-mail addresses."""

    async def registered(session: AsyncSession, envelope: Envelope) -> None:
        e = UserRegistered.model_validate(envelope.data)
        if e.staff_roles:  # trade users' addresses come with their Trade Account memberships
            await use_cases.staff_known(session, e.user_id, str(e.email))

    async def email_changed(session: AsyncSession, envelope: Envelope) -> None:
        e = UserEmailChanged.model_validate(envelope.data)
        await use_cases.staff_email_changed(session, e.user_id, str(e.new_email))

    return {UserRegistered.event_type: registered, UserEmailChanged.event_type: email_changed}


def document_handlers() -> Mapping[str, Handler]:
    """MSG-04: what a message may attach: a document of the model's Partner Library, while it is there."""

    async def uploaded(session: AsyncSession, envelope: Envelope) -> None:
        e = DocumentUploaded.model_validate(envelope.data)
        await use_cases.document_uploaded(session, e.document_id, e.security_model_id, e.title)

    async def removed(session: AsyncSession, envelope: Envelope) -> None:
        e = DocumentRemoved.model_validate(envelope.data)
        await use_cases.document_removed(session, e.document_id)

    return {DocumentUploaded.event_type: uploaded, DocumentRemoved.event_type: removed}
