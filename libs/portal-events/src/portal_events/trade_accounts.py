"""Events of the trade-accounts service, topic `trade-accounts.trade-account.v1`, keyed by Trade Account id.

Address and user events carry the whole entry as it is after the change, so a
consumer (ctpat's Company Profile, documents, messaging) keeps its read model
from the events alone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr

from portal_events.base import EventPayload

TRADE_ACCOUNT_TOPIC = "trade-accounts.trade-account.v1"

MemberType = Literal["company_administrator", "user"]
MemberStatus = Literal["active", "invited"]
AddressType = Literal[
    "headquarters",
    "international_corporate_headquarters",
    "trade_security_poc_office",
    "cargo_handling_facility",
    "policy_training_location",
    "other",
]


class CompanyInformationData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    company_name: str
    doing_business_as: str | None
    number_of_employees: int | None
    business_start_date: date | None
    brief_history: str | None


class AddressData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    address_id: UUID
    type: AddressType
    street_line_1: str
    street_line_2: str | None
    city: str
    country: str  # ISO 3166-1 alpha-2
    state: str | None  # ISO 3166-2 subdivision code without the country prefix
    postal_code: str


class MemberData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    member_id: UUID
    user_id: UUID | None  # None while the person is invited and has no login yet
    email: EmailStr
    salutation: str
    first_name: str
    last_name: str
    title: str
    phone: str
    type: MemberType
    status: MemberStatus


class _TradeAccountEvent(EventPayload):
    topic: ClassVar[str] = TRADE_ACCOUNT_TOPIC
    aggregate_id_field: ClassVar[str] = "trade_account_id"

    trade_account_id: UUID
    occurred_at: datetime


class TradeAccountCreated(_TradeAccountEvent):
    """A Trade Account was created; its creator is its first Company Administrator."""

    event_type: ClassVar[str] = "TradeAccountCreated.v1"

    company_information: CompanyInformationData
    created_by: UUID


class CompanyInformationChanged(_TradeAccountEvent):
    """Company name, doing-business-as name, employees, start date or history changed."""

    event_type: ClassVar[str] = "CompanyInformationChanged.v1"

    company_information: CompanyInformationData
    changed_by: UUID


class TradeAccountAddressAdded(_TradeAccountEvent):
    event_type: ClassVar[str] = "TradeAccountAddressAdded.v1"

    address: AddressData


class TradeAccountAddressChanged(_TradeAccountEvent):
    event_type: ClassVar[str] = "TradeAccountAddressChanged.v1"

    address: AddressData


class TradeAccountAddressRemoved(_TradeAccountEvent):
    event_type: ClassVar[str] = "TradeAccountAddressRemoved.v1"

    address_id: UUID


class TradeAccountUserAdded(_TradeAccountEvent):
    """A person was listed as a user of the Trade Account (active, or invited until they register)."""

    event_type: ClassVar[str] = "TradeAccountUserAdded.v1"

    member: MemberData


class TradeAccountUserChanged(_TradeAccountEvent):
    """A listed user's details, type, status (invitation accepted) or email changed."""

    event_type: ClassVar[str] = "TradeAccountUserChanged.v1"

    member: MemberData


class TradeAccountUserRemoved(_TradeAccountEvent):
    event_type: ClassVar[str] = "TradeAccountUserRemoved.v1"

    member_id: UUID
    user_id: UUID | None


# --- the Trade Organization hierarchy: topic `trade-accounts.trade-account.v1` as well,
# keyed by the account whose place changed, so each account's events stay in order.


class TradeAccountsLinked(_TradeAccountEvent):
    """`trade_account_id` (the subsidiary) now sits under `parent_trade_account_id`."""

    event_type: ClassVar[str] = "TradeAccountsLinked.v1"

    parent_trade_account_id: UUID
    request_id: UUID


class TradeAccountsDelinked(_TradeAccountEvent):
    """`trade_account_id` left `former_parent_trade_account_id` and is a top-level account again."""

    event_type: ClassVar[str] = "TradeAccountsDelinked.v1"

    former_parent_trade_account_id: UUID
    request_id: UUID


class TradeAccountsSplit(_TradeAccountEvent):
    """`trade_account_id` was split: `new_trade_account_id` was created and the Security Models listed moved to it."""

    event_type: ClassVar[str] = "TradeAccountsSplit.v1"

    new_trade_account_id: UUID
    moved_security_model_ids: list[UUID]
    request_id: UUID


class TradeAccountsMerged(_TradeAccountEvent):
    """`merged_trade_account_id` was merged into `trade_account_id` (the survivor), with its users,
    addresses, subsidiaries and Security Models."""

    event_type: ClassVar[str] = "TradeAccountsMerged.v1"

    merged_trade_account_id: UUID
    moved_security_model_ids: list[UUID]
    request_id: UUID


# --- requests: topic `trade-accounts.request.v1`, keyed by request id -----------------------

REQUEST_TOPIC = "trade-accounts.request.v1"

RequestKind = Literal["link", "delink", "split", "merge"]
RequestStatus = Literal["pending", "completed", "declined", "cancelled"]


class _RequestEvent(EventPayload):
    topic: ClassVar[str] = REQUEST_TOPIC
    aggregate_id_field: ClassVar[str] = "request_id"

    request_id: UUID
    occurred_at: datetime
    kind: RequestKind
    status: RequestStatus
    trade_account_ids: list[UUID]


class TradeAccountRequestSubmitted(_RequestEvent):
    """A link, delink, split or merge was requested; `awaiting` names the approvals it needs."""

    event_type: ClassVar[str] = "TradeAccountRequestSubmitted.v1"

    requested_by: UUID
    requesting_trade_account_id: UUID
    reason: str
    awaiting: list[Literal["company_administrator", "management"]]


class TradeAccountRequestDecided(_RequestEvent):
    """One approval was given or the request was declined; `status` is the request's state after it."""

    event_type: ClassVar[str] = "TradeAccountRequestDecided.v1"

    decided_by: UUID
    approval: Literal["company_administrator", "management"]
    decision: Literal["approved", "declined"]
    reason: str | None


class TradeAccountRequestCancelled(_RequestEvent):
    """The requester withdrew the request."""

    event_type: ClassVar[str] = "TradeAccountRequestCancelled.v1"

    cancelled_by: UUID
