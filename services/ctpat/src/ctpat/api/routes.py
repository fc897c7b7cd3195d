"""ctpat's endpoints: each parses, calls one use case, and returns."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, status

from ctpat import catalogue as catalogues
from ctpat import use_cases
from ctpat.api.deps import Context, CurrentActor
from ctpat.api.schemas import (
    AddressesRequest,
    AffirmationRequest,
    AgreementVersionBody,
    AnniversaryChangeRequest,
    AnnualReviewBody,
    AnswerRequest,
    ApprovedResponseBody,
    AssignScssRequest,
    AtAGlanceBody,
    BusinessTypeBody,
    BusinessTypeCode,
    CatalogueBody,
    CategoryBody,
    ContactsRequest,
    CriteriaBody,
    CriterionBody,
    CriterionResponseBody,
    DecisionRequest,
    IdentifierKindBody,
    IdentifiersRequest,
    OperationBody,
    OperationRequest,
    ProfileBody,
    ProgramAgreement,
    ProgramBody,
    RecordValidationRequest,
    ReplyRequest,
    ReviewRequest,
    SecurityModelBody,
    SignAgreementRequest,
    StaffBody,
    StaffPageBody,
    StartApplicationRequest,
    StatusChangeRequest,
    SubmitApplicationRequest,
    ValidationBody,
    ValidationSummaryItem,
    WithdrawalRequest,
    WorkQueueItemBody,
)
from ctpat.domain.security_model import AGREEMENT_VERSIONS, AgreementKind, Contact, ProfileAddress
from servicekit.auth import StaffRole
from servicekit.db import TransactionalRoute
from servicekit.deps import DbReads, DbSession
from servicekit.errors import NotFound, ValidationFailed
from servicekit.openapi import links_to, operation_id, problem_responses

# Every write saves the model at the version it was loaded: a concurrent change answers 409.
WRITE = problem_responses(409)
NEW_MODEL = {**WRITE, 201: links_to(
    "get_security_model", "replace_identifiers", "replace_addresses", "replace_contacts", "get_security_profile",
    model_id="$response.body#/id",
)}
router = APIRouter(route_class=TransactionalRoute, generate_unique_id_function=operation_id)


# --- the catalogue (CT-01, CT-02, CT-08) ---------------------------------------------------------


def _catalogue(version: int | None) -> catalogues.Catalogue:
    if version is None:
        return catalogues.current()
    found = catalogues.catalogue(version)
    if found is None:
        raise NotFound(f"No catalogue version {version}.")
    return found


@router.get("/catalogue", tags=["catalogue"], responses=problem_responses(404))
async def catalogue(
    _: CurrentActor, version: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> CatalogueBody:
    """Business types with their eligibility questions and sub-types, and the entity identifiers."""
    found = _catalogue(version)
    return CatalogueBody(
        version=found.version, published=found.published,
        identifier_kinds=[IdentifierKindBody.model_validate(k) for k in found.identifier_kinds.values()],
        business_types=[BusinessTypeBody.model_validate(t) for t in found.business_types.values()],
        agreements=[AgreementVersionBody(agreement=k.value, version=v) for k, v in AGREEMENT_VERSIONS.items()],
    )


@router.get("/catalogue/criteria", tags=["catalogue"], responses=problem_responses(404))
async def criteria(
    _: CurrentActor,
    business_type: Annotated[list[BusinessTypeCode], Query(min_length=1, max_length=20)],
    version: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> CriteriaBody:
    """CT-08, CT-09: the Minimum Security Criteria a model of these business types answers, each once."""
    found = _catalogue(version)
    unknown = [t for t in business_type if found.business_type(t) is None]
    if unknown:
        raise ValidationFailed.on("business_type", f"unknown business types: {', '.join(unknown)}")
    return CriteriaBody(
        version=found.version, business_types=business_type,
        categories=[CategoryBody.model_validate(c) for c in found.categories.values()],
        criteria=[CriterionBody.model_validate(c) for c in found.criteria_for(business_type)],
    )


# --- Security Models (CT-01..CT-05, CT-20) --------------------------------------------------------


@router.post("/security-models", status_code=status.HTTP_201_CREATED, tags=["security models"],
             responses={**NEW_MODEL, **problem_responses(404)})
async def start_application(
    body: StartApplicationRequest, actor: CurrentActor, session: DbSession, ctx: Context,
) -> SecurityModelBody:
    view = await use_cases.start_application(
        session, ctx, actor, trade_account_id=body.trade_account_id, business_type=body.business_type,
        eligibility_answers=body.eligibility_answers, identifiers=body.identifiers,
        applicant_contact_type=body.applicant_contact_type,
    )
    return SecurityModelBody.of(view)


@router.get("/security-models/{model_id}", tags=["security models"])
async def get_security_model(model_id: UUID, actor: CurrentActor, reads: DbReads) -> SecurityModelBody:
    return SecurityModelBody.of(await use_cases.show_model(reads, actor, model_id))


@router.get("/trade-accounts/{trade_account_id}/security-models", tags=["security models"])
async def security_models_of_account(
    trade_account_id: UUID, actor: CurrentActor, reads: DbReads,
) -> list[AtAGlanceBody]:
    """The Trade Account's C-TPAT accounts at a glance: business types, status, Primary POC and SCSS."""
    return [AtAGlanceBody.of(v) for v in await use_cases.models_of_account(reads, actor, trade_account_id)]


@router.put("/security-models/{model_id}/identifiers", tags=["company profile"], responses=WRITE)
async def replace_identifiers(
    model_id: UUID, body: IdentifiersRequest, actor: CurrentActor, session: DbSession, ctx: Context,
) -> SecurityModelBody:
    return SecurityModelBody.of(await use_cases.replace_identifiers(session, ctx, actor, model_id, body.identifiers))


@router.put("/security-models/{model_id}/addresses", tags=["company profile"], responses=WRITE)
async def replace_addresses(
    model_id: UUID, body: AddressesRequest, actor: CurrentActor, session: DbSession, ctx: Context,
) -> SecurityModelBody:
    addresses = [ProfileAddress(a.address_id, a.primary, a.mailing) for a in body.addresses]
    return SecurityModelBody.of(await use_cases.replace_addresses(session, ctx, actor, model_id, addresses))


@router.put("/security-models/{model_id}/contacts", tags=["company profile"], responses=WRITE)
async def replace_contacts(
    model_id: UUID, body: ContactsRequest, actor: CurrentActor, session: DbSession, ctx: Context,
) -> SecurityModelBody:
    contacts = [Contact(c.member_id, c.type, c.primary_poc) for c in body.contacts]
    return SecurityModelBody.of(await use_cases.replace_contacts(session, ctx, actor, model_id, contacts))


# --- the Security Profile (CT-08, CT-09) -----------------------------------------------------------

CriterionId = Annotated[str, Path(pattern=r"^\d{1,2}\.\d{1,3}$", max_length=6,
                                  description='A criterion of the model\'s profile, "category.n"')]


@router.get("/security-models/{model_id}/profile", tags=["security profile"])
async def get_security_profile(model_id: UUID, actor: CurrentActor, reads: DbReads) -> ProfileBody:
    """Every criterion the model answers, by category, with its response, its evidence and what is missing."""
    return ProfileBody.of(await use_cases.show_profile(reads, actor, model_id))


@router.put("/security-models/{model_id}/profile/{criterion_id}", tags=["security profile"], responses=WRITE)
async def answer_criterion(
    model_id: UUID, criterion_id: CriterionId, body: AnswerRequest, actor: CurrentActor, session: DbSession,
    ctx: Context,
) -> CriterionResponseBody:
    response = await use_cases.answer_criterion(
        session, ctx, actor, model_id, criterion_id, text=body.response, not_applicable=body.not_applicable,
        reason=body.reason, revision=body.revision,
    )
    return CriterionResponseBody.model_validate(response)



@router.get("/security-models/{model_id}/profile/{criterion_id}/versions", tags=["security profile"])
async def approved_response_versions(
    model_id: UUID, criterion_id: CriterionId, actor: CurrentActor, reads: DbReads,
) -> list[ApprovedResponseBody]:
    """CT-12: every version of this response the SCSS approved, newest first."""
    versions = await use_cases.approved_versions(reads, actor, model_id, criterion_id)
    return [ApprovedResponseBody.model_validate(v) for v in versions]


# --- submission and review (CT-06, CT-11, CT-12) ----------------------------------------------------


@router.post("/security-models/{model_id}/submission", tags=["review"], responses=WRITE)
async def submit_application(
    model_id: UUID, body: SubmitApplicationRequest, actor: CurrentActor, session: DbSession, reads: DbReads,
    ctx: Context,
) -> SecurityModelBody:
    """An Officer signs the Partner Agreement and submits the complete application (409 names what is missing)."""
    view = await use_cases.submit_application(
        session, reads, ctx, actor, model_id, agreement_version=body.agreement_version, signer_name=body.signer_name)
    return SecurityModelBody.of(view)


@router.put("/security-models/{model_id}/scss", tags=["review"], responses=WRITE)
async def assign_scss(
    model_id: UUID, body: AssignScssRequest, actor: CurrentActor, session: DbSession, ctx: Context,
) -> SecurityModelBody:
    return SecurityModelBody.of(await use_cases.assign_scss(session, ctx, actor, model_id, body.scss_user_id))


@router.get("/staff", tags=["review"])
async def staff(
    actor: CurrentActor, reads: DbReads,
    role: Annotated[StaffRole, Query(description="Only staff holding this role")] = StaffRole.SCSS,
    email: Annotated[str | None, Query(min_length=1, max_length=254, pattern=r"^[^\u0000]*[^\s\u0000][^\u0000]*$",
                                       description="Part of the email, any case")] = None,
    user_id: Annotated[UUID | None, Query(description="Only this staff member (to name the one assigned)")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> StaffPageBody:
    """CT-12: the CBP staff of a role, by email, for Management to pick the SCSS it assigns (Management only)."""
    found, total = await use_cases.staff_with_role(reads, actor, role, email_contains=email, user_id=user_id,
                                                   limit=limit, offset=offset)
    return StaffPageBody(items=[StaffBody.model_validate(s) for s in found], total=total, limit=limit,
                         offset=offset)


@router.get("/work-queue", tags=["review"])
async def work_queue(actor: CurrentActor, reads: DbReads) -> list[WorkQueueItemBody]:
    """The SCSS's work queue: assigned models where a profile, an annual review or a Validation Response waits."""
    return [WorkQueueItemBody.model_validate(i) for i in await use_cases.work_queue(reads, actor)]


@router.post("/security-models/{model_id}/review", tags=["review"], responses=WRITE)
async def review(
    model_id: UUID, body: ReviewRequest, actor: CurrentActor, session: DbSession, ctx: Context,
) -> SecurityModelBody:
    view = await use_cases.review(session, ctx, actor, model_id, approve=body.decision == "approve",
                                  reason=body.reason)
    return SecurityModelBody.of(view)



# --- the lifecycle (CT-14) ----------------------------------------------------------------------------


@router.post("/security-models/{model_id}/status-changes", tags=["status"], responses=WRITE)
async def change_status(
    model_id: UUID, body: StatusChangeRequest, actor: CurrentActor, session: DbSession, ctx: Context,
) -> SecurityModelBody:
    """The assigned SCSS or Management changes the status; the history keeps every change with who and why."""
    return SecurityModelBody.of(await use_cases.change_status(session, ctx, actor, model_id, body.status, body.reason))


@router.put("/security-models/{model_id}/anniversary", tags=["status"], responses=WRITE)
async def change_anniversary(
    model_id: UUID, body: AnniversaryChangeRequest, actor: CurrentActor, session: DbSession, ctx: Context,
) -> SecurityModelBody:
    """Management moves the certification anniversary; the old date stays in the history."""
    view = await use_cases.change_anniversary(session, ctx, actor, model_id, body.anniversary_date, body.reason)
    return SecurityModelBody.of(view)


@router.post("/security-models/{model_id}/withdrawal", tags=["status"], responses=WRITE)
async def withdraw(
    model_id: UUID, body: WithdrawalRequest, actor: CurrentActor, session: DbSession, ctx: Context,
) -> SecurityModelBody:
    """A Company Officer withdraws the Security Model from C-TPAT."""
    return SecurityModelBody.of(await use_cases.withdraw(session, ctx, actor, model_id, body.reason))



# --- annual reviews (CT-13) -----------------------------------------------------------------------------

ReviewYear = Annotated[int, Path(ge=2000, le=2200)]


@router.get("/security-models/{model_id}/annual-reviews", tags=["annual review"])
async def list_annual_reviews(
    model_id: UUID, actor: CurrentActor, reads: DbReads, ctx: Context,
) -> list[AnnualReviewBody]:
    return [AnnualReviewBody.of(v) for v in await use_cases.annual_reviews(reads, ctx, actor, model_id)]


@router.put("/security-models/{model_id}/annual-reviews/{year}/affirmations/{criterion_id}",
            tags=["annual review"], responses=WRITE, status_code=status.HTTP_204_NO_CONTENT)
async def affirm_statement(
    model_id: UUID, year: ReviewYear, criterion_id: CriterionId, body: AffirmationRequest, actor: CurrentActor,
    session: DbSession, ctx: Context,
) -> None:
    await use_cases.affirm(session, ctx, actor, model_id, year, criterion_id, affirmed=body.affirmed,
                           updated_response=body.updated_response)


@router.post("/security-models/{model_id}/annual-reviews/{year}/submission", tags=["annual review"],
             responses=WRITE)
async def submit_annual_review(
    model_id: UUID, year: ReviewYear, actor: CurrentActor, session: DbSession, ctx: Context,
) -> AnnualReviewBody:
    """An Officer submits the year's review inside its window, every statement affirmed (409 names the rest)."""
    return AnnualReviewBody.of(await use_cases.submit_review(session, ctx, actor, model_id, year))


@router.post("/security-models/{model_id}/annual-reviews/{year}/approval", tags=["annual review"],
             responses=WRITE)
async def approve_annual_review(
    model_id: UUID, year: ReviewYear, actor: CurrentActor, session: DbSession, ctx: Context,
) -> AnnualReviewBody:
    return AnnualReviewBody.of(await use_cases.approve_review(session, ctx, actor, model_id, year))



# --- validations (CT-15) ------------------------------------------------------------------------------------


NEW_VALIDATION = {**WRITE, 201: links_to(
    "get_validation", "reply_to_validation_item", "submit_validation_response",
    model_id="$request.path.model_id", validation_id="$response.body#/id",
)}


@router.post("/security-models/{model_id}/validations", status_code=status.HTTP_201_CREATED, tags=["validations"],
             responses=NEW_VALIDATION)
async def record_validation(
    model_id: UUID, body: RecordValidationRequest, actor: CurrentActor, session: DbSession, ctx: Context,
) -> ValidationBody:
    """The assigned SCSS records a validation: date, result, report, recommendations and actions required."""
    view = await use_cases.record_validation(
        session, ctx, actor, model_id, validation_date=body.validation_date, result=body.result, report=body.report,
        recommendations=body.recommendations, actions_required=body.actions_required)
    return ValidationBody.of(view)


@router.get("/security-models/{model_id}/validations", tags=["validations"])
async def validation_summary(model_id: UUID, actor: CurrentActor, reads: DbReads) -> list[ValidationSummaryItem]:
    """The Validation Summary: every validation, newest first, with its response status."""
    return [ValidationSummaryItem.model_validate(v)
            for v in await use_cases.validation_summary(reads, actor, model_id)]


@router.get("/security-models/{model_id}/validations/{validation_id}", tags=["validations"])
async def get_validation(model_id: UUID, validation_id: UUID, actor: CurrentActor, reads: DbReads) -> ValidationBody:
    return ValidationBody.of(await use_cases.show_validation(reads, actor, model_id, validation_id))


@router.put("/security-models/{model_id}/validations/{validation_id}/items/{item_id}/reply", tags=["validations"],
            responses=WRITE)
async def reply_to_validation_item(
    model_id: UUID, validation_id: UUID, item_id: UUID, body: ReplyRequest, actor: CurrentActor, session: DbSession,
    ctx: Context,
) -> ValidationBody:
    """A draft reply to one recommendation or action required (saved, not yet submitted)."""
    view = await use_cases.reply_to_item(session, ctx, actor, model_id, validation_id, item_id, body.reply)
    return ValidationBody.of(view)


@router.post("/security-models/{model_id}/validations/{validation_id}/response", tags=["validations"],
             responses=WRITE)
async def submit_validation_response(
    model_id: UUID, validation_id: UUID, actor: CurrentActor, session: DbSession, ctx: Context,
) -> ValidationBody:
    """Submits the Validation Response, once, when every item has a reply (409 names the ones without)."""
    return ValidationBody.of(await use_cases.submit_response(session, ctx, actor, model_id, validation_id))



# --- the International tab (CT-07) ----------------------------------------------------------------------------


@router.get("/security-models/{model_id}/international", tags=["international"])
async def international_programs(model_id: UUID, actor: CurrentActor, reads: DbReads) -> list[ProgramBody]:
    """The programs related to C-TPAT, each open to the model or not (by status and business type), and signed or
    not."""
    return [ProgramBody.of(v) for v in await use_cases.international(reads, actor, model_id)]


@router.post("/security-models/{model_id}/agreements", tags=["international"], responses=WRITE)
async def sign_agreement(
    model_id: UUID, body: SignAgreementRequest, actor: CurrentActor, session: DbSession, ctx: Context,
) -> SecurityModelBody:
    """A Company Officer signs a program's agreement electronically."""
    view = await use_cases.sign_agreement(session, ctx, actor, model_id, AgreementKind(body.agreement),
                                          agreement_version=body.agreement_version, signer_name=body.signer_name)
    return SecurityModelBody.of(view)


@router.post("/security-models/{model_id}/agreements/{agreement}/revocation", tags=["international"],
             responses=WRITE)
async def revoke_agreement(
    model_id: UUID, agreement: ProgramAgreement, actor: CurrentActor, session: DbSession, ctx: Context,
) -> SecurityModelBody:
    """A Company Officer revokes a signed agreement (the signature stays on record, marked revoked)."""
    return SecurityModelBody.of(
        await use_cases.revoke_agreement(session, ctx, actor, model_id, AgreementKind(agreement)))



# --- Security Model operations (CT-16..CT-19) -------------------------------------------------------------------


@router.post("/security-models/{model_id}/operations", status_code=status.HTTP_201_CREATED, tags=["operations"],
             responses=WRITE)
async def request_operation(
    model_id: UUID, body: OperationRequest, actor: CurrentActor, session: DbSession, ctx: Context,
) -> OperationBody:
    """A Company Officer requests an expand, extract, split or merge; Management decides."""
    operation = await use_cases.request_operation(
        session, ctx, actor, model_id, kind=body.kind, reason=body.reason, business_types=body.business_types,
        eligibility_answers=body.eligibility_answers, identifiers=body.identifiers, other_model_id=body.other_model_id)
    return OperationBody.model_validate(operation)


@router.get("/security-models/{model_id}/operations", tags=["operations"])
async def operations_of_model(model_id: UUID, actor: CurrentActor, reads: DbReads) -> list[OperationBody]:
    return [OperationBody.model_validate(o) for o in await use_cases.operations_of_model(reads, actor, model_id)]


@router.get("/model-operations", tags=["operations"])
async def pending_operations(actor: CurrentActor, reads: DbReads) -> list[OperationBody]:
    """Management's queue: every pending request, oldest first."""
    return [OperationBody.model_validate(o) for o in await use_cases.pending_operations(reads, actor)]


@router.post("/model-operations/{operation_id}/decision", tags=["operations"], responses=WRITE)
async def decide_operation(
    operation_id: UUID, body: DecisionRequest, actor: CurrentActor, session: DbSession, ctx: Context,
) -> OperationBody:
    operation = await use_cases.decide_operation(session, ctx, actor, operation_id,
                                                 approve=body.decision == "approve", reason=body.reason)
    return OperationBody.model_validate(operation)
