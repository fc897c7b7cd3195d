"""Events of the ctpat service, topic `ctpat.security-model.v1`, keyed by Security Model id.

Only the events other services already depend on are defined here; ctpat adds
the rest of its catalogue when it is built.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from portal_events.base import EventPayload

SECURITY_MODEL_TOPIC = "ctpat.security-model.v1"


class _SecurityModelEvent(EventPayload):
    topic: ClassVar[str] = SECURITY_MODEL_TOPIC
    aggregate_id_field: ClassVar[str] = "security_model_id"

    security_model_id: UUID
    occurred_at: datetime


class SecurityModelCreated(_SecurityModelEvent):
    """A C-TPAT Security Model was started under a Trade Account."""

    event_type: ClassVar[str] = "SecurityModelCreated.v1"

    trade_account_id: UUID
    business_types: list[str]


class SecurityModelMoved(_SecurityModelEvent):
    """A Security Model now belongs to another Trade Account (after a split or merge)."""

    event_type: ClassVar[str] = "SecurityModelMoved.v1"

    from_trade_account_id: UUID
    to_trade_account_id: UUID


class ScssAssigned(_SecurityModelEvent):
    """Management assigned (or reassigned) the Security Model's Supply Chain Security Specialist."""

    event_type: ClassVar[str] = "ScssAssigned.v1"

    trade_account_id: UUID
    scss_user_id: UUID


class ContactEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    member_id: UUID  # the Trade Account user (TradeAccountUserAdded.member.member_id)
    contact_type: Literal["officer", "employee", "consultant"]
    primary_poc: bool


class CompanyProfileAddress(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    address_id: UUID  # the Trade Account address (TradeAccountAddressAdded.address.address_id)
    designation: Literal["primary", "mailing", "secondary"]


class ContactsChanged(_SecurityModelEvent):
    """The Security Model's contacts, all of them, as they are now (drawn from the Trade Account's users)."""

    event_type: ClassVar[str] = "ContactsChanged.v1"

    trade_account_id: UUID
    contacts: list[ContactEntry]


class CompanyProfileAddressesChanged(_SecurityModelEvent):
    """The Company Profile's addresses, all of them, as they are now (drawn from the Trade Account's addresses)."""

    event_type: ClassVar[str] = "CompanyProfileAddressesChanged.v1"

    trade_account_id: UUID
    addresses: list[CompanyProfileAddress]
