"""Events of the ctpat service, topic `ctpat.security-model.v1`, keyed by Security Model id.

Other services consume them (trade-accounts: which models an account holds and
what they use; svi: status and the SVI agreement; messaging: annual review
windows), and so may partner government agencies (PL-03).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

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


# CT-14: the lifecycle, in the words a partner government agency would read.
SecurityModelStatus = Literal[
    "applicant", "under_review", "certified", "certified_validated", "certified_exceeding",
    "certified_non_importer_validated", "suspended", "removed", "withdrawn",
]


class StatusChanged(_SecurityModelEvent):
    """The Security Model's status changed, or a date of its lifecycle did (CT-14).

    Every change is one event and one entry of the model's append-only history:
    who, when, why, and what it was before. `certified` says whether the model
    now counts as certified (Certified or above), which is all the Status
    Verification Interface shows.
    """

    event_type: ClassVar[str] = "StatusChanged.v1"

    trade_account_id: UUID
    status: SecurityModelStatus
    previous_status: SecurityModelStatus | None
    certified: bool
    changed_by: UUID
    reason: str
    business_types: list[str]
    anniversary_date: date | None = None  # the certification anniversary the annual review is due by


class AgreementSigned(_SecurityModelEvent):
    """A Company Officer signed an agreement electronically (CT-06, CT-11): who, when, which version."""

    event_type: ClassVar[str] = "AgreementSigned.v1"

    trade_account_id: UUID
    agreement: Literal["partner", "svi", "exporter", "neec", "mutual_recognition"]
    agreement_version: str
    signed_by: UUID


class AgreementRevoked(_SecurityModelEvent):
    """An agreement the model had signed was revoked (e.g. the SVI agreement, SV-02)."""

    event_type: ClassVar[str] = "AgreementRevoked.v1"

    trade_account_id: UUID
    agreement: Literal["partner", "svi", "exporter", "neec", "mutual_recognition"]
    revoked_by: UUID


class AnnualReviewWindowOpened(_SecurityModelEvent):
    """The annual review window opened, 90 days before the certification anniversary (CT-13)."""

    event_type: ClassVar[str] = "AnnualReviewWindowOpened.v1"

    trade_account_id: UUID
    review_year: int
    opens_on: date
    due_date: date


MODEL_OPERATION_TOPIC = "ctpat.model-operation.v1"


class SecurityModelOperationDecided(EventPayload):
    """Management approved or declined a Security Model operation (CT-16..CT-19: expand, extract, split, merge).

    On its own topic, keyed by the operation: its version is the request's, not the model's.
    """

    topic: ClassVar[str] = MODEL_OPERATION_TOPIC
    aggregate_id_field: ClassVar[str] = "operation_id"
    event_type: ClassVar[str] = "SecurityModelOperationDecided.v1"

    operation_id: UUID
    occurred_at: datetime
    kind: Literal["expand", "extract", "split", "merge"]
    security_model_id: UUID
    trade_account_id: UUID
    other_model_id: UUID | None = Field(default=None, description="merge: the model that joined this one")
    resulting_model_id: UUID | None = Field(default=None, description="extract and split: the new model")
    decision: Literal["approved", "declined"]
    reason: str | None = Field(default=None, description="Management's reason (always given for a decline)")
    decided_by: UUID
