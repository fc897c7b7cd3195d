"""Every public event, by wire name: the one list the schema files and AsyncAPI are made from."""

from __future__ import annotations

from portal_events.base import EventPayload
from portal_events.ctpat import (
    AgreementRevoked,
    AgreementSigned,
    AnnualReviewWindowOpened,
    CompanyProfileAddressesChanged,
    ContactsChanged,
    ScssAssigned,
    SecurityModelCreated,
    SecurityModelMoved,
    SecurityModelOperationDecided,
    StatusChanged,
)
from portal_events.documents import DocumentRemoved, DocumentUploaded
from portal_events.identity import UserEmailChanged, UserProfileUpdated, UserRegistered
from portal_events.messaging import MessagePosted
from portal_events.svi import (
    BlockRemoved,
    MonitoringAccepted,
    MonitoringDeclined,
    MonitoringEnded,
    MonitoringRequested,
    MonitoringRevoked,
)
from portal_events.trade_accounts import (
    CompanyInformationChanged,
    TradeAccountAddressAdded,
    TradeAccountAddressChanged,
    TradeAccountAddressRemoved,
    TradeAccountCreated,
    TradeAccountRequestCancelled,
    TradeAccountRequestDecided,
    TradeAccountRequestSubmitted,
    TradeAccountsDelinked,
    TradeAccountsLinked,
    TradeAccountsMerged,
    TradeAccountsSplit,
    TradeAccountUserAdded,
    TradeAccountUserChanged,
    TradeAccountUserRemoved,
)

ALL_EVENTS: tuple[type[EventPayload], ...] = (
    UserRegistered,
    UserProfileUpdated,
    UserEmailChanged,
    TradeAccountCreated,
    CompanyInformationChanged,
    TradeAccountAddressAdded,
    TradeAccountAddressChanged,
    TradeAccountAddressRemoved,
    TradeAccountUserAdded,
    TradeAccountUserChanged,
    TradeAccountUserRemoved,
    TradeAccountsLinked,
    TradeAccountsDelinked,
    TradeAccountsSplit,
    TradeAccountsMerged,
    TradeAccountRequestSubmitted,
    TradeAccountRequestDecided,
    TradeAccountRequestCancelled,
    SecurityModelCreated,
    SecurityModelMoved,
    ScssAssigned,
    ContactsChanged,
    CompanyProfileAddressesChanged,
    StatusChanged,
    AgreementSigned,
    AgreementRevoked,
    AnnualReviewWindowOpened,
    DocumentUploaded,
    DocumentRemoved,
    MessagePosted,
    SecurityModelOperationDecided,
    MonitoringRequested,
    MonitoringAccepted,
    MonitoringDeclined,
    MonitoringRevoked,
    MonitoringEnded,
    BlockRemoved,
)

BY_TYPE: dict[str, type[EventPayload]] = {event.event_type: event for event in ALL_EVENTS}

TOPICS: tuple[str, ...] = tuple(sorted({event.topic for event in ALL_EVENTS}))
