"""What ctpat takes from other services' events: Trade Accounts' users and addresses, identity's emails."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from ctpat import use_cases
from ctpat.domain.trade_accounts import AccountAddress, AccountMember
from portal_events import Envelope
from portal_events.documents import DOCUMENT_TOPIC, DocumentRemoved, DocumentUploaded
from portal_events.identity import USER_TOPIC, UserEmailChanged, UserRegistered
from portal_events.trade_accounts import (
    TRADE_ACCOUNT_TOPIC,
    AddressData,
    MemberData,
    TradeAccountAddressAdded,
    TradeAccountAddressChanged,
    TradeAccountAddressRemoved,
    TradeAccountCreated,
    TradeAccountsMerged,
    TradeAccountsSplit,
    TradeAccountUserAdded,
    TradeAccountUserChanged,
    TradeAccountUserRemoved,
)
from servicekit.consumer import Handler

TRADE_ACCOUNT_TOPICS = [TRADE_ACCOUNT_TOPIC]
IDENTITY_TOPICS = [USER_TOPIC]
DOCUMENT_TOPICS = [DOCUMENT_TOPIC]


def _member(data: MemberData) -> AccountMember:
    return AccountMember(
        member_id=data.member_id, user_id=data.user_id, email=str(data.email), first_name=data.first_name,
        last_name=data.last_name, title=data.title, phone=data.phone, type=str(data.type), status=str(data.status),
    )


def _address(data: AddressData) -> AccountAddress:
    return AccountAddress(
        address_id=data.address_id, type=str(data.type), street_line_1=data.street_line_1,
        street_line_2=data.street_line_2, city=data.city, country=data.country, state=data.state,
        postal_code=data.postal_code,
    )


def trade_account_handlers() -> Mapping[str, Handler]:
    """TA-16, CT-04, CT-05: the users and addresses a Security Model may use; TA-13, TA-14: where models moved."""

    async def created(session: AsyncSession, envelope: Envelope) -> None:
        event = TradeAccountCreated.model_validate(envelope.data)
        await use_cases.trade_account_created(session, event.trade_account_id,
                                              event.company_information.company_name)

    async def member(session: AsyncSession, envelope: Envelope) -> None:
        event = (TradeAccountUserAdded if envelope.type == TradeAccountUserAdded.event_type
                 else TradeAccountUserChanged).model_validate(envelope.data)
        await use_cases.member_known(session, event.trade_account_id, _member(event.member))

    async def member_removed(session: AsyncSession, envelope: Envelope) -> None:
        event = TradeAccountUserRemoved.model_validate(envelope.data)
        await use_cases.member_removed(session, event.trade_account_id, event.member_id)

    async def address(session: AsyncSession, envelope: Envelope) -> None:
        event = (TradeAccountAddressAdded if envelope.type == TradeAccountAddressAdded.event_type
                 else TradeAccountAddressChanged).model_validate(envelope.data)
        await use_cases.address_known(session, event.trade_account_id, _address(event.address))

    async def address_removed(session: AsyncSession, envelope: Envelope) -> None:
        event = TradeAccountAddressRemoved.model_validate(envelope.data)
        await use_cases.address_removed(session, event.trade_account_id, event.address_id)

    async def split(session: AsyncSession, envelope: Envelope) -> None:
        event = TradeAccountsSplit.model_validate(envelope.data)
        await use_cases.models_moved_by_split(session, event.moved_security_model_ids, event.new_trade_account_id,
                                              event.occurred_at)

    async def merged(session: AsyncSession, envelope: Envelope) -> None:
        event = TradeAccountsMerged.model_validate(envelope.data)
        await use_cases.models_moved_by_merge(session, event.moved_security_model_ids, event.trade_account_id,
                                              event.merged_trade_account_id, event.occurred_at)

    return {
        TradeAccountsSplit.event_type: split,
        TradeAccountsMerged.event_type: merged,
        TradeAccountCreated.event_type: created,
        TradeAccountUserAdded.event_type: member,
        TradeAccountUserChanged.event_type: member,
        TradeAccountUserRemoved.event_type: member_removed,
        TradeAccountAddressAdded.event_type: address,
        TradeAccountAddressChanged.event_type: address,
        TradeAccountAddressRemoved.event_type: address_removed,
    }


def identity_handlers() -> Mapping[str, Handler]:
    """ID-09: a user's new email reaches every C-TPAT contact entry of theirs; CBP staff become known (CT-12)."""

    async def registered(session: AsyncSession, envelope: Envelope) -> None:
        event = UserRegistered.model_validate(envelope.data)
        if event.staff_roles:  # trade users reach ctpat through their Trade Accounts
            await use_cases.staff_registered(session, event.user_id, str(event.email), list(event.staff_roles))

    async def email_changed(session: AsyncSession, envelope: Envelope) -> None:
        event = UserEmailChanged.model_validate(envelope.data)
        await use_cases.user_email_changed(session, event.user_id, str(event.new_email))
        await use_cases.staff_email_changed(session, event.user_id, str(event.new_email))

    return {UserRegistered.event_type: registered, UserEmailChanged.event_type: email_changed}


def document_handlers() -> Mapping[str, Handler]:
    """CT-08, CT-15: a document uploaded for a criterion, or for a validation item, is its evidence, until it is
    removed from its library (DOC-04)."""

    async def uploaded(session: AsyncSession, envelope: Envelope) -> None:
        event = DocumentUploaded.model_validate(envelope.data)
        place = event.uploaded_for
        if event.security_model_id is None or place is None:
            return  # a library document: evidence of nothing
        if place.kind == "security_profile_criterion" and place.criterion_id:
            await use_cases.evidence_uploaded(
                session, document_id=event.document_id, model_id=event.security_model_id,
                criterion_id=place.criterion_id, title=event.title, uploaded_at=event.occurred_at,
            )
        elif place.kind == "validation_response_item" and place.validation_id and place.item_id:
            await use_cases.validation_evidence_uploaded(
                session, document_id=event.document_id, validation_id=place.validation_id, item_id=place.item_id,
                title=event.title, uploaded_at=event.occurred_at,
            )

    async def removed(session: AsyncSession, envelope: Envelope) -> None:
        event = DocumentRemoved.model_validate(envelope.data)
        await use_cases.evidence_removed(session, event.document_id)

    return {DocumentUploaded.event_type: uploaded, DocumentRemoved.event_type: removed}
