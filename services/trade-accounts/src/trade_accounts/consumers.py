"""What trade-accounts takes from other services' events: identity's users, for now."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from portal_events import Envelope
from portal_events.identity import USER_TOPIC, UserEmailChanged, UserProfileUpdated, UserRegistered
from servicekit.consumer import Handler
from trade_accounts import use_cases
from trade_accounts.domain.trade_account import PersonDetails
from trade_accounts.use_cases import TradeAccountsContext

TOPICS = [USER_TOPIC]


def identity_handlers(ctx: TradeAccountsContext) -> Mapping[str, Handler]:
    async def registered(session: AsyncSession, envelope: Envelope) -> None:
        event = UserRegistered.model_validate(envelope.data)
        await use_cases.user_registered(session, ctx, event.user_id, str(event.email))

    async def profile_updated(session: AsyncSession, envelope: Envelope) -> None:
        event = UserProfileUpdated.model_validate(envelope.data)
        details = PersonDetails(event.salutation, event.first_name, event.last_name, event.title, event.phone)
        await use_cases.user_profile_updated(session, event.user_id, details)

    async def email_changed(session: AsyncSession, envelope: Envelope) -> None:
        event = UserEmailChanged.model_validate(envelope.data)
        await use_cases.user_email_changed(session, ctx, event.user_id, str(event.new_email))

    return {
        UserRegistered.event_type: registered,
        UserProfileUpdated.event_type: profile_updated,
        UserEmailChanged.event_type: email_changed,
    }
