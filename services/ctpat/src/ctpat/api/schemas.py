"""ctpat's HTTP bodies, in servicekit's vocabulary.

Requests state their limits so the OpenAPI document does; responses are read
from domain objects (`Body.model_validate(obj)`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from ctpat.catalogue import catalogues
from ctpat.domain.operations import OperationKind, OperationStatus
from ctpat.domain.security_model import AGREEMENT_VERSIONS, AddressDesignation, ContactType, Status
from ctpat.domain.security_profile import MAX_REASON_LENGTH, MAX_RESPONSE_LENGTH
from ctpat.domain.validation import ItemKind, ResponseState, ValidationResult
from ctpat.use_cases import ModelView, ProfileView, ProgramView, ReviewView, ValidationView
from servicekit.schema_types import DomainView, Strict, StrictDate, text

_CODE = r"^[a-z][a-z0-9_]{0,59}$"
Code = text(60, pattern=_CODE, message="must be a lower-case code such as importer")
AnswerValue = text(60, pattern=r"^[a-z0-9][a-z0-9_]{0,59}$", message="must be one of the question's choices")
IdentifierValue = text(40)
# Every business type of every published catalogue version: the document lists them.
BusinessTypeCode = Literal[tuple(sorted({code for c in catalogues().values() for code in c.business_types}))]


def _code_keys(description: str) -> dict:
    # The keys are codes and nothing else: the document says so (pydantic alone would allow any other key).
    return {"description": description, "additionalProperties": False,
            "propertyNames": {"pattern": _CODE, "maxLength": 60}}


IdentifierMap = Annotated[
    dict[Code, Annotated[list[IdentifierValue], Field(max_length=20)]],
    Field(max_length=20, json_schema_extra=_code_keys("Identifier kind (ior, scac, mid, ...) -> its values")),
]
AnswerMap = Annotated[
    dict[Code, AnswerValue],
    Field(max_length=20, json_schema_extra=_code_keys("Eligibility question id -> the chosen answer's value")),
]


# --- catalogue -----------------------------------------------------------------------------


class ChoiceBody(DomainView):
    value: str
    label: str


class QuestionBody(DomainView):
    id: str
    text: str
    choices: list[ChoiceBody]


class SubTypeBody(DomainView):
    code: str
    name: str


class IdentifierFormatBody(DomainView):
    label: str
    example: str


class IdentifierKindBody(DomainView):
    code: str
    name: str
    scss_only_after_entry: bool
    formats: list[IdentifierFormatBody]


class BusinessTypeBody(DomainView):
    code: str
    name: str
    description: str
    validated_tiers: bool = Field(description="Tier II and Tier III validations exist for this type (importers)")
    identifiers: list[str] = Field(description="Identifier kinds this type requires")
    optional_identifiers: list[str]
    sub_types: list[SubTypeBody]
    questions: list[QuestionBody] = Field(description="The eligibility questions, asked in this order (CT-01)")


class AgreementVersionBody(Strict):
    agreement: str
    version: str = Field(description="The version in force: what a signature names (CT-11)")


class CatalogueBody(Strict):
    version: int
    published: date
    identifier_kinds: list[IdentifierKindBody]
    business_types: list[BusinessTypeBody]
    agreements: list[AgreementVersionBody]


class CategoryBody(DomainView):
    number: int
    name: str
    focus_area: str


class CriterionBody(DomainView):
    id: str
    category: int
    level: str
    evidence: bool
    statement: str


class CriteriaBody(Strict):
    version: int
    business_types: list[str]
    categories: list[CategoryBody]
    criteria: list[CriterionBody]


# --- Security Models -------------------------------------------------------------------------


class StartApplicationRequest(Strict):
    """CT-01, CT-02: start a C-TPAT application for a Trade Account as one business type."""

    trade_account_id: UUID
    business_type: BusinessTypeCode
    eligibility_answers: AnswerMap
    identifiers: IdentifierMap
    applicant_contact_type: ContactType = Field(
        description="What the applicant is to the company; they become the Primary POC (officer or employee)"
    )


class IdentifiersRequest(Strict):
    identifiers: IdentifierMap


class ProfileAddressItem(Strict):
    address_id: UUID
    primary: bool = False
    mailing: bool = False


class AddressesRequest(Strict):
    """CT-04: the company profile's addresses, all of them (exactly one Primary, at least one Mailing)."""

    addresses: Annotated[list[ProfileAddressItem], Field(max_length=200)]


class ContactItem(Strict):
    member_id: UUID
    type: ContactType
    primary_poc: bool = False


class ContactsRequest(Strict):
    """CT-05: the contacts, all of them (a Company Officer; exactly one Primary POC, no Consultant)."""

    contacts: Annotated[list[ContactItem], Field(max_length=200)]


class BusinessTypeEntryBody(DomainView):
    code: str
    sub_type: str
    account_number: str
    eligibility_answers: dict[str, str]


class IdentifierBody(DomainView):
    kind: str
    value: str


class AddressView(Strict):
    address_id: UUID
    designation: AddressDesignation
    primary: bool
    mailing: bool
    line: str | None = Field(description="The address as the Trade Account has it; None if it was removed there")


class ContactView(Strict):
    member_id: UUID
    type: ContactType
    primary_poc: bool
    name: str | None
    email: str | None
    title: str | None


class StatusEntryBody(DomainView):
    status: Status
    previous: Status | None
    at: datetime
    by: UUID
    reason: str
    anniversary_date: date | None


class SecurityModelBody(Strict):
    id: UUID
    trade_account_id: UUID
    company_name: str | None
    catalogue_version: int
    status: Status
    business_types: list[BusinessTypeEntryBody]
    identifiers: list[IdentifierBody]
    addresses: list[AddressView]
    contacts: list[ContactView]
    scss_user_id: UUID | None
    scss_email: str | None = Field(None, description="The assigned SCSS's email address, on reads (the "
                                   "at-a-glance panel); a change's answer leaves it out")
    status_history: list[StatusEntryBody]
    signatures: list[SignatureBody]
    anniversary_date: date | None
    profile_submitted: bool = Field(description="Submitted and waiting for the SCSS; not editable meanwhile")
    earmarked_for_withdrawal: bool = Field(description="Extracted from another model, to be withdrawn (CT-17)")
    version: int

    @classmethod
    def of(cls, view: ModelView) -> SecurityModelBody:
        model, account = view.model, view.account
        addresses = account.addresses if account else {}
        members = account.members if account else {}
        return cls(
            id=model.id, trade_account_id=model.trade_account_id,
            company_name=account.company_name if account else None, catalogue_version=model.catalogue_version,
            status=model.status,
            business_types=[BusinessTypeEntryBody.model_validate(t) for t in model.business_types],
            identifiers=[IdentifierBody.model_validate(i) for i in model.identifiers],
            addresses=[
                AddressView(address_id=a.address_id, designation=a.designation, primary=a.primary, mailing=a.mailing,
                            line=addresses[a.address_id].one_line if a.address_id in addresses else None)
                for a in model.addresses
            ],
            contacts=[
                ContactView(member_id=c.member_id, type=c.type, primary_poc=c.primary_poc,
                            name=members[c.member_id].name if c.member_id in members else None,
                            email=members[c.member_id].email if c.member_id in members else None,
                            title=members[c.member_id].title if c.member_id in members else None)
                for c in model.contacts
            ],
            scss_user_id=model.scss_user_id,
            scss_email=view.scss_email,
            status_history=[StatusEntryBody.model_validate(e) for e in model.history],
            signatures=[SignatureBody.model_validate(x) for x in model.signatures],
            anniversary_date=model.anniversary_date,
            profile_submitted=model.profile_submitted,
            earmarked_for_withdrawal=model.earmarked_for_withdrawal,
            version=model.version,
        )


class AtAGlanceBody(Strict):
    """A Trade Account's C-TPAT account at a glance (the manual's C-TPAT Accounts view)."""

    id: UUID
    business_types: list[BusinessTypeEntryBody]
    status: Status
    primary_poc: ContactView | None
    scss_user_id: UUID | None
    scss_email: str | None = Field(None, description="The assigned SCSS's email address")

    @classmethod
    def of(cls, view: ModelView) -> AtAGlanceBody:
        full = SecurityModelBody.of(view)
        return cls(id=full.id, business_types=full.business_types, status=full.status,
                   primary_poc=next((c for c in full.contacts if c.primary_poc), None),
                   scss_user_id=full.scss_user_id, scss_email=full.scss_email)


# --- the Security Profile (CT-08, CT-09) -----------------------------------------------------


class AnswerRequest(Strict):
    """CT-08: how the company meets the criterion, or "Not Applicable" with the reason why."""

    response: text(MAX_RESPONSE_LENGTH, blank=True) | None = None
    not_applicable: bool = False
    reason: text(MAX_REASON_LENGTH, blank=True) | None = None
    revision: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(
        default=None, description="The revision this answer replaces, as last read; omit for a first answer")


class CriterionResponseBody(DomainView):
    criterion_id: str
    response: str | None = Field(validation_alias="text")
    not_applicable: bool
    reason: str | None
    revision: int
    updated_by: UUID
    updated_at: datetime


class EvidenceBody(DomainView):
    document_id: UUID
    title: str
    uploaded_at: datetime


class ProfileCriterionBody(Strict):
    id: str
    level: str
    evidence_required: bool
    statement: str
    response: CriterionResponseBody | None
    documents: list[EvidenceBody]


class ProfileCategoryBody(Strict):
    number: int
    name: str
    focus_area: str
    criteria: list[ProfileCriterionBody]


class GapBody(DomainView):
    criterion_id: str
    problem: str
    message: str


class ProfileBody(Strict):
    security_model_id: UUID
    catalogue_version: int
    answered: int
    total: int
    complete: bool
    categories: list[ProfileCategoryBody]
    gaps: list[GapBody]

    @classmethod
    def of(cls, profile: ProfileView) -> ProfileBody:
        categories = []
        for number, category in sorted(profile.catalogue.categories.items()):
            rows = [c for c in profile.criteria if c.category == number]
            if not rows:
                continue
            categories.append(ProfileCategoryBody(
                number=number, name=category.name, focus_area=category.focus_area,
                criteria=[ProfileCriterionBody(
                    id=c.id, level=c.level, evidence_required=c.evidence, statement=c.statement,
                    response=(CriterionResponseBody.model_validate(profile.responses[c.id])
                              if c.id in profile.responses else None),
                    documents=[EvidenceBody.model_validate(e) for e in profile.evidence.get(c.id, [])],
                ) for c in rows],
            ))
        found = profile.gaps
        return cls(
            security_model_id=profile.view.model.id, catalogue_version=profile.catalogue.version,
            answered=sum(1 for c in profile.criteria if c.id in profile.responses), total=len(profile.criteria),
            complete=not found, categories=categories, gaps=[GapBody.model_validate(g) for g in found],
        )


# --- submission and review (CT-06, CT-11, CT-12) ----------------------------------------------


class SubmitApplicationRequest(Strict):
    """CT-11: the Officer's electronic signature of the Partner Agreement, and the submission."""

    agreement_version: text(20) = Field(description="The Partner Agreement version the Officer read and signs")
    signer_name: text(200) = Field(description="The Officer's full name, typed as the electronic signature")


class AssignScssRequest(Strict):
    scss_user_id: UUID


class StaffBody(DomainView):
    """A CBP staff member, as identity's events told ctpat (CT-12: whom Management assigns)."""

    user_id: UUID
    email: str
    roles: list[str]


class StaffPageBody(Strict):
    items: list[StaffBody]
    total: int
    limit: int
    offset: int


class ReviewRequest(Strict):
    """CT-12: approve the submitted Security Profile, or return it with what to change."""

    decision: Literal["approve", "return"]
    reason: text(2000) | None = None


class ApprovedResponseBody(DomainView):
    criterion_id: str
    version: int
    response: str | None = Field(validation_alias="text")
    not_applicable: bool
    reason: str | None
    approved_at: datetime
    approved_by: UUID


class SignatureBody(DomainView):
    agreement: str
    agreement_version: str
    signed_by: UUID
    signer_name: str
    signed_at: datetime
    revoked_at: datetime | None


class StatusChangeRequest(Strict):
    """CT-14: CBP moves the lifecycle (tiers, suspension, reinstatement, removal), always saying why."""

    status: Status
    reason: text(2000)


class AnniversaryChangeRequest(Strict):
    anniversary_date: StrictDate
    reason: text(2000)


class WithdrawalRequest(Strict):
    reason: text(2000)



# --- annual reviews (CT-13) --------------------------------------------------------------------


class AnnualReviewBody(Strict):
    review_year: int
    opens_on: date
    due_date: date
    state: str = Field(description="open, submitted or approved")
    missed: bool = Field(description="Not submitted by the due date: the year is not satisfied")
    affirmed: int
    statements: int
    affirmed_criteria: list[str] = Field(description="The statements affirmed so far, by criterion id")
    submitted_at: datetime | None
    approved_at: datetime | None

    @classmethod
    def of(cls, view: ReviewView) -> AnnualReviewBody:
        r = view.review
        return cls(review_year=r.review_year, opens_on=r.opens_on, due_date=r.due_date, state=r.state.value,
                   missed=view.today_missed, affirmed=len(view.affirmed), statements=view.statements,
                   affirmed_criteria=sorted(view.affirmed, key=_criterion_order),
                   submitted_at=r.submitted_at, approved_at=r.approved_at)


def _criterion_order(criterion_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in criterion_id.split("."))


class AffirmationRequest(Strict):
    """CT-13: the statement's box, and optionally its response updated where practice changed."""

    affirmed: bool = True
    updated_response: text(MAX_RESPONSE_LENGTH) | None = None



# --- validations (CT-15) -----------------------------------------------------------------------------

ItemText = text(4000)


class RecordValidationRequest(Strict):
    validation_date: StrictDate
    result: ValidationResult
    report: text(20000)
    recommendations: Annotated[list[ItemText], Field(max_length=50)] = []
    actions_required: Annotated[list[ItemText], Field(max_length=50)] = []


class ValidationSummaryItem(DomainView):
    id: UUID
    validation_date: date
    result: ValidationResult
    response_state: ResponseState
    recorded_at: datetime
    submitted_at: datetime | None


class ItemDocumentBody(Strict):
    document_id: UUID
    title: str


class ValidationItemBody(Strict):
    id: UUID
    kind: ItemKind
    text: str
    reply: str | None
    replied_at: datetime | None
    documents: list[ItemDocumentBody]


class ValidationBody(Strict):
    id: UUID
    security_model_id: UUID
    validation_date: date
    result: ValidationResult
    report: str
    recorded_by: UUID
    response_state: ResponseState
    items: list[ValidationItemBody]
    submitted_at: datetime | None
    version: int

    @classmethod
    def of(cls, view: ValidationView) -> ValidationBody:
        v = view.validation
        return cls(
            id=v.id, security_model_id=v.security_model_id, validation_date=v.validation_date, result=v.result,
            report=v.report, recorded_by=v.recorded_by, response_state=v.response_state, submitted_at=v.submitted_at,
            version=v.version,
            items=[ValidationItemBody(id=i.id, kind=i.kind, text=i.text, reply=i.reply, replied_at=i.replied_at,
                                      documents=[ItemDocumentBody(document_id=d, title=t)
                                                 for d, t in view.evidence.get(i.id, [])])
                   for i in v.items],
        )


class ReplyRequest(Strict):
    reply: text(8000, blank=True)



# --- the International tab (CT-07) ---------------------------------------------------------------

ProgramAgreement = Literal["svi", "exporter", "neec", "mutual_recognition"]


class ProgramBody(Strict):
    agreement: ProgramAgreement
    name: str
    description: str
    available: bool
    unavailable_because: str | None
    agreement_version: str
    signature: SignatureBody | None

    @classmethod
    def of(cls, view: ProgramView) -> ProgramBody:
        p = view.program
        return cls(agreement=p.agreement.value, name=p.name, description=p.description,
                   available=view.unavailable_because is None, unavailable_because=view.unavailable_because,
                   agreement_version=AGREEMENT_VERSIONS[p.agreement],
                   signature=SignatureBody.model_validate(view.signature) if view.signature else None)


class SignAgreementRequest(Strict):
    agreement: ProgramAgreement
    agreement_version: text(20)
    signer_name: text(200) = Field(description="The Officer's full name, typed as the electronic signature")



# --- Security Model operations (CT-16..CT-19) -------------------------------------------------------


class OperationRequest(Strict):
    """expand: `business_types` is the one type added, with its eligibility answers and identifiers;
    extract: the one type separated (earmarked for withdrawal); split: the types that form the second model;
    merge: `other_model_id` joins this model."""

    kind: OperationKind
    reason: text(4000, min_length=10)
    business_types: Annotated[list[BusinessTypeCode], Field(max_length=20)] = []
    eligibility_answers: AnswerMap = {}
    identifiers: IdentifierMap = {}
    other_model_id: UUID | None = None


class OperationBody(DomainView):
    id: UUID
    kind: OperationKind
    security_model_id: UUID
    trade_account_id: UUID
    requested_by: UUID
    requested_at: datetime
    reason: str
    business_types: list[str]
    other_model_id: UUID | None
    status: OperationStatus
    decided_by: UUID | None
    decided_at: datetime | None
    decision_reason: str | None
    resulting_model_id: UUID | None


class DecisionRequest(Strict):
    decision: Literal["approve", "decline"]
    reason: text(2000) | None = None



class WorkQueueItemBody(DomainView):
    """A model assigned to the SCSS, and what in it waits for them (CT-12)."""

    security_model_id: UUID
    trade_account_id: UUID
    company_name: str | None
    business_types: list[str]
    status: Status
    profile_submitted: bool = Field(description="A submitted Security Profile (application or update) to review")
    reviews_submitted: list[int] = Field(description="Years of submitted annual reviews to approve")
    responses_submitted: int = Field(description="Submitted Validation Responses")
    waiting_since: datetime | None
