"""Trade-accounts' HTTP bodies, in servicekit's vocabulary.

Requests state their limits so the OpenAPI document does; responses are read
from the domain objects (`Body.model_validate(obj)`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import pycountry
from pydantic import AliasPath, ConfigDict, Field, ValidationInfo, ValidatorFunctionWrapHandler, model_validator

from servicekit.schema_types import (
    DomainView,
    JobTitle,
    NewEmail,
    PersonName,
    Phone,
    Salutation,
    Strict,
    StrictDate,
    integer,
    text,
)
from trade_accounts.domain.addresses import AddressType
from trade_accounts.domain.requests import (
    MAX_REASON_LENGTH,
    MIN_REASON_LENGTH,
    ApprovalKind,
    Decision,
    RequestKind,
    RequestStatus,
)
from trade_accounts.domain.trade_account import MemberStatus, MemberType, TradeAccount

CompanyName = text(200)


class CompanyInformationBody(Strict):
    company_name: CompanyName
    doing_business_as: text(200, blank=True) | None = None
    number_of_employees: integer(ge=0, le=10_000_000) | None = None
    business_start_date: StrictDate | None = None
    brief_history: text(4000, blank=True) | None = None


class CreateTradeAccountRequest(Strict):
    company_information: CompanyInformationBody


# postal_code too, except in the countries that have none (domain/addresses.py).
_ADDRESS_REQUIRED = ("type", "street_line_1", "city", "country")


def _address_schema(schema: dict[str, Any]) -> None:
    # The model lets each field be missing so the domain can name every missing
    # one at once (TA-03); the document says what the service requires.
    properties = schema["properties"]
    for name in _ADDRESS_REQUIRED:
        properties[name] = next(s for s in properties[name]["anyOf"] if s.get("type") != "null")
    properties["type"]["enum"] = [t.value for t in AddressType]
    properties["country"] = {
        "type": "string", "enum": sorted(c.alpha_2 for c in pycountry.countries),
        "description": "ISO 3166-1 alpha-2",
    }
    schema["required"] = list(_ADDRESS_REQUIRED)


class AddressRequest(Strict):
    """Validated by the domain field by field, every problem named at once (TA-03)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_address_schema)

    type: text(60) | None = None
    street_line_1: text(200) | None = None
    street_line_2: text(200, blank=True) | None = None
    city: text(100) | None = None
    country: text(2) | None = None
    state: text(10, blank=True) | None = Field(
        default=None, description="ISO 3166-2 subdivision without the country: TX; required in US, CA, MX, AU, BR, IN"
    )
    postal_code: text(30) | None = Field(
        default=None, description="Required except in countries without postal codes (e.g. HK, AE, QA, PA)"
    )


class AddressBody(DomainView):
    id: UUID
    type: AddressType
    street_line_1: str
    street_line_2: str | None
    city: str
    country: str
    state: str | None
    postal_code: str


class PersonFields(Strict):
    salutation: Salutation
    first_name: PersonName
    last_name: PersonName
    title: JobTitle
    phone: Phone
    type: Literal["company_administrator", "user"]


class AddUserRequest(PersonFields):
    email: NewEmail
    confirm_email: text(254) = Field(description="The email again; must match")


class ChangeUserRequest(PersonFields):
    pass


class UserBody(DomainView):
    """A member of a Trade Account, read from the domain `Member`."""

    id: UUID
    user_id: UUID | None
    email: str
    salutation: str = Field(validation_alias=AliasPath("details", "salutation"))
    first_name: str = Field(validation_alias=AliasPath("details", "first_name"))
    last_name: str = Field(validation_alias=AliasPath("details", "last_name"))
    title: str = Field(validation_alias=AliasPath("details", "title"))
    phone: str = Field(validation_alias=AliasPath("details", "phone"))
    type: MemberType
    status: MemberStatus


class CompanyInformationView(DomainView):
    company_name: str
    doing_business_as: str | None
    number_of_employees: int | None
    business_start_date: StrictDate | None
    brief_history: str | None


class WarningBody(DomainView):
    code: str
    message: str


class TradeAccountBody(DomainView):
    """A Trade Account; validate with `context={"user_id": caller}` to fill `your_role`."""

    id: UUID
    parent_id: UUID | None
    company_information: CompanyInformationView = Field(validation_alias="company")
    addresses: list[AddressBody]
    users: list[UserBody] = Field(validation_alias="members")
    version: int
    your_role: MemberType | None = Field(default=None, description="The caller's role here, if a member")
    warnings: list[WarningBody] = Field(description="Advice that breaks no rule, e.g. code single_user")

    @model_validator(mode="wrap")
    @classmethod
    def _role_of_caller(cls, account: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        body = handler(account)
        if isinstance(account, TradeAccount) and info.context:
            member = account.member_for(info.context["user_id"])
            body.your_role = member.type if member else None
        return body


class NavigationAccountBody(DomainView):
    trade_account_id: UUID
    company_name: str
    parent_id: UUID | None
    role: MemberType | None


class TradeOrganizationBody(DomainView):
    top: NavigationAccountBody
    accounts: list[NavigationAccountBody]


Reason = text(
    MAX_REASON_LENGTH, min_length=MIN_REASON_LENGTH,
    message=f"must explain the request in detail (at least {MIN_REASON_LENGTH} characters)",
)


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
    new_company_name: CompanyName
    security_model_ids: list[UUID] = Field(default_factory=list, max_length=50)
    reason: Reason


class DecisionRequest(Strict):
    decision: Literal["approved", "declined"]
    reason: text(MAX_REASON_LENGTH, blank=True) | None = Field(default=None, description="Required to decline")


class ApprovalBody(DomainView):
    kind: ApprovalKind
    trade_account_id: UUID | None
    decision: Decision | None
    decided_by: UUID | None
    decided_at: datetime | None
    reason: str | None


class HistoryBody(DomainView):
    at: datetime
    by: UUID
    action: str
    detail: str | None


class RequestBody(DomainView):
    id: UUID
    kind: RequestKind
    status: RequestStatus
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


class TasksBody(DomainView):
    to_act_on: list[RequestBody]
    requested: list[RequestBody]
