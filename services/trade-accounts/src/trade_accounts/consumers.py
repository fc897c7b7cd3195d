"""What trade-accounts takes from other services' events: identity's users and ctpat's Security Models."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from portal_events import Envelope
from portal_events.ctpat import (
    SECURITY_MODEL_TOPIC,
    CompanyProfileAddressesChanged,
    ContactsChanged,
    ScssAssigned,
    SecurityModelCreated,
    SecurityModelMoved,
    StatusChanged,
)
from portal_events.identity import USER_TOPIC, UserEmailChanged, UserProfileUpdated, UserRegistered
from servicekit.consumer import Handler
from trade_accounts import use_cases
from trade_accounts.domain.trade_account import PersonDetails
from trade_accounts.use_cases import TradeAccountsContext

IDENTITY_TOPICS = [USER_TOPIC]
CTPAT_TOPICS = [SECURITY_MODEL_TOPIC]


def identity_handlers(ctx: TradeAccountsContext) -> Mapping[str, Handler]:
    async def registered(session: AsyncSession, envelope: Envelope) -> None:
        event = UserRegistered.model_validate(envelope.data)
        await use_cases.user_registered(session, ctx, event.user_id, str(event.email))

    async def profile_updated(session: AsyncSession, envelope: Envelope) -> None:
        event = UserProfileUpdated.model_validate(envelope.data)
        details = PersonDetails(event.salutation, event.first_name, event.last_name, event.title, event.phone)
        await use_cases.user_profile_updated(session, ctx, event.user_id, details)

    async def email_changed(session: AsyncSession, envelope: Envelope) -> None:
        event = UserEmailChanged.model_validate(envelope.data)
        await use_cases.user_email_changed(session, ctx, event.user_id, str(event.new_email))

    return {
        UserRegistered.event_type: registered,
        UserProfileUpdated.event_type: profile_updated,
        UserEmailChanged.event_type: email_changed,
    }


def ctpat_handlers() -> Mapping[str, Handler]:
    """Where each Security Model is (TA-11, TA-13), who its SCSS is (TA-02), what it uses (TA-16), and whether it
    is still in the program (StatusChanged)."""

    async def created(session: AsyncSession, envelope: Envelope) -> None:
        event = SecurityModelCreated.model_validate(envelope.data)
        await use_cases.security_model_created(session, event.security_model_id, event.trade_account_id)

    async def moved(session: AsyncSession, envelope: Envelope) -> None:
        event = SecurityModelMoved.model_validate(envelope.data)
        await use_cases.security_model_moved(session, event.security_model_id, event.to_trade_account_id)

    async def assigned(session: AsyncSession, envelope: Envelope) -> None:
        event = ScssAssigned.model_validate(envelope.data)
        await use_cases.scss_assigned(session, event.security_model_id, event.trade_account_id, event.scss_user_id)

    async def contacts_changed(session: AsyncSession, envelope: Envelope) -> None:
        event = ContactsChanged.model_validate(envelope.data)
        await use_cases.security_model_uses(session, event.security_model_id, event.trade_account_id,
                                            member_ids=[c.member_id for c in event.contacts])

    async def addresses_changed(session: AsyncSession, envelope: Envelope) -> None:
        event = CompanyProfileAddressesChanged.model_validate(envelope.data)
        await use_cases.security_model_uses(session, event.security_model_id, event.trade_account_id,
                                            address_ids=[a.address_id for a in event.addresses])

    async def status_changed(session: AsyncSession, envelope: Envelope) -> None:
        event = StatusChanged.model_validate(envelope.data)
        await use_cases.security_model_status_changed(session, event.security_model_id, event.trade_account_id,
                                                      event.status)

    return {
        StatusChanged.event_type: status_changed,
        ContactsChanged.event_type: contacts_changed,
        CompanyProfileAddressesChanged.event_type: addresses_changed,
        SecurityModelCreated.event_type: created,
        SecurityModelMoved.event_type: moved,
        ScssAssigned.event_type: assigned,
    }
