"""Trade-accounts' HTTP bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Text100 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=7, max_length=30, pattern=r"^\+?[0-9 ()./-]{7,30}$")
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CompanyInformationBody(Strict):
    company_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    doing_business_as: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    number_of_employees: int | None = Field(default=None, ge=0, le=10_000_000)
    business_start_date: date | None = None
    brief_history: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] | None = None


class CreateTradeAccountRequest(Strict):
    company_information: CompanyInformationBody


class AddressRequest(Strict):
    """Every field optional here so the domain can name each missing one (TA-03)."""

    type: str | None = Field(default=None, max_length=60)
    street_line_1: str | None = Field(default=None, max_length=400)
    street_line_2: str | None = Field(default=None, max_length=400)
    city: str | None = Field(default=None, max_length=200)
    country: str | None = Field(default=None, max_length=10)
    state: str | None = Field(default=None, max_length=10)
    postal_code: str | None = Field(default=None, max_length=30)


class AddressBody(BaseModel):
    id: UUID
    type: str
    street_line_1: str
    street_line_2: str | None
    city: str
    country: str
    state: str | None
    postal_code: str


class PersonFields(Strict):
    salutation: Literal["Mr.", "Ms.", "Mrs.", "Miss", "Dr.", "Mx."]
    first_name: Text100
    last_name: Text100
    title: Text100
    phone: Phone
    type: Literal["company_administrator", "user"]


class AddUserRequest(PersonFields):
    email: EmailStr = Field(max_length=254)
    confirm_email: str = Field(min_length=1, max_length=254)


class ChangeUserRequest(PersonFields):
    pass


class UserBody(BaseModel):
    id: UUID
    user_id: UUID | None
    email: str
    salutation: str
    first_name: str
    last_name: str
    title: str
    phone: str
    type: str
    status: str


class TradeAccountBody(BaseModel):
    id: UUID
    parent_id: UUID | None
    company_information: CompanyInformationBody
    addresses: list[AddressBody]
    users: list[UserBody]
    version: int
    your_role: str | None


class NavigationAccountBody(BaseModel):
    trade_account_id: UUID
    company_name: str
    parent_id: UUID | None
    role: str | None


class TradeOrganizationBody(BaseModel):
    top: NavigationAccountBody
    accounts: list[NavigationAccountBody]


Reason = Annotated[str, StringConstraints(max_length=4000)]


class LinkRequest(Strict):
    requesting_account_id: UUID
    parent_id: UUID
    subsidiary_id: UUID
    reason: Reason


class DelinkRequest(LinkRequest):
    pass


class MergeRequest(Strict):
    requesting_account_id: UUID
    survivor_id: UUID
    merged_id: UUID
    reason: Reason


class SplitRequest(Strict):
    source_id: UUID
    new_company_name: Annotated[str, StringConstraints(max_length=200)]
    security_model_ids: list[UUID] = Field(default_factory=list, max_length=50)
    reason: Reason


class DecisionRequest(Strict):
    decision: Literal["approved", "declined"]
    reason: Reason | None = None


class ApprovalBody(BaseModel):
    kind: str
    trade_account_id: UUID | None
    decision: str | None
    decided_by: UUID | None
    decided_at: datetime | None
    reason: str | None


class HistoryBody(BaseModel):
    at: datetime
    by: UUID
    action: str
    detail: str | None


class RequestBody(BaseModel):
    id: UUID
    kind: str
    status: str
    requested_by: UUID
    requested_at: datetime
    requesting_account_id: UUID
    parent_id: UUID | None
    subsidiary_id: UUID | None
    reason: str
    new_company_name: str | None
    moving_security_model_ids: list[UUID]
    approvals: list[ApprovalBody]
    history: list[HistoryBody]


class TasksBody(BaseModel):
    to_act_on: list[RequestBody]
    requested: list[RequestBody]
