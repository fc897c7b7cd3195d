"""Trade-accounts' endpoints: each parses, calls one use case, and returns."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, status

from servicekit.db import TransactionalRoute
from servicekit.deps import DbReads, DbSession
from servicekit.openapi import links_to, operation_id, problem_responses
from trade_accounts import use_cases
from trade_accounts.api.deps import Context, CurrentActor
from trade_accounts.api.schemas import (
    AddressBody,
    AddressRequest,
    AddUserRequest,
    ChangeUserRequest,
    CompanyInformationBody,
    CreateTradeAccountRequest,
    TradeAccountBody,
    TradeOrganizationBody,
    UserBody,
)
from trade_accounts.domain.actors import Actor
from trade_accounts.domain.trade_account import CompanyInformation, MemberType, PersonDetails, TradeAccount
from trade_accounts.summary_pdf import summary_pdf

# Every write saves an aggregate at the version it was loaded: a concurrent change answers 409.
WRITE = problem_responses(409)
# What a new account, address or user leads to (the document's links; the stateful fuzzer follows them).
NEW_ACCOUNT = {**WRITE, 201: links_to(
    "get_trade_account", "summary", "summary_as_pdf", "update_company_information", "add_address", "add_user",
    account_id="$response.body#/id",
)}
NEW_ADDRESS = {**WRITE, 201: links_to(
    "change_address", "remove_address", account_id="$request.path.account_id", address_id="$response.body#/id",
)}
NEW_USER = {**WRITE, 201: links_to(
    "change_user", "remove_user", account_id="$request.path.account_id", member_id="$response.body#/id",
)}
router = APIRouter(route_class=TransactionalRoute, tags=["trade accounts"], generate_unique_id_function=operation_id)


def _account(account: TradeAccount, actor: Actor) -> TradeAccountBody:
    return TradeAccountBody.model_validate(account, context={"user_id": actor.user_id})


def _company(body: CompanyInformationBody) -> CompanyInformation:
    return CompanyInformation(**body.model_dump())


def _person(body: AddUserRequest | ChangeUserRequest) -> PersonDetails:
    return PersonDetails(body.salutation, body.first_name, body.last_name, body.title, body.phone)


@router.post("/trade-accounts", status_code=status.HTTP_201_CREATED, responses=NEW_ACCOUNT)
async def create_trade_account(
    body: CreateTradeAccountRequest, actor: CurrentActor, session: DbSession, ctx: Context
) -> TradeAccountBody:
    account = await use_cases.create_trade_account(session, ctx, actor, _company(body.company_information))
    return _account(account, actor)


@router.get("/navigation")
async def navigation(actor: CurrentActor, session: DbSession) -> list[TradeOrganizationBody]:
    return [TradeOrganizationBody.model_validate(o) for o in await use_cases.navigation(session, actor)]


@router.get("/trade-accounts/{account_id}")
async def get_trade_account(account_id: UUID, actor: CurrentActor, reads: DbReads) -> TradeAccountBody:
    return _account(await use_cases.get_trade_account(reads, actor, account_id), actor)


@router.get("/trade-accounts/{account_id}/summary")
async def summary(account_id: UUID, actor: CurrentActor, reads: DbReads) -> TradeAccountBody:
    return _account(await use_cases.get_trade_account(reads, actor, account_id), actor)


@router.get(
    "/trade-accounts/{account_id}/summary.pdf", response_class=Response,
    responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                     "description": "The Organization Profile as a PDF"}},
)
async def summary_as_pdf(account_id: UUID, actor: CurrentActor, reads: DbReads, ctx: Context) -> Response:
    account = await use_cases.get_trade_account(reads, actor, account_id)
    return Response(
        summary_pdf(account, ctx.clock.now()), media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="organization-profile-{account.id}.pdf"'},
    )


@router.put("/trade-accounts/{account_id}/company-information", responses=WRITE)
async def update_company_information(
    account_id: UUID, body: CompanyInformationBody, actor: CurrentActor, session: DbSession, ctx: Context
) -> TradeAccountBody:
    account = await use_cases.update_company_information(session, ctx, actor, account_id, _company(body))
    return _account(account, actor)


@router.post("/trade-accounts/{account_id}/addresses", status_code=status.HTTP_201_CREATED, responses=NEW_ADDRESS)
async def add_address(
    account_id: UUID, body: AddressRequest, actor: CurrentActor, session: DbSession, ctx: Context
) -> AddressBody:
    return AddressBody.model_validate(await use_cases.add_address(session, ctx, actor, account_id, body.model_dump()))


@router.put("/trade-accounts/{account_id}/addresses/{address_id}", responses=WRITE)
async def change_address(
    account_id: UUID, address_id: UUID, body: AddressRequest, actor: CurrentActor, session: DbSession, ctx: Context
) -> AddressBody:
    address = await use_cases.change_address(session, ctx, actor, account_id, address_id, body.model_dump())
    return AddressBody.model_validate(address)


@router.delete(
    "/trade-accounts/{account_id}/addresses/{address_id}", status_code=status.HTTP_204_NO_CONTENT, responses=WRITE
)
async def remove_address(
    account_id: UUID, address_id: UUID, actor: CurrentActor, session: DbSession, ctx: Context
) -> Response:
    await use_cases.remove_address(session, ctx, actor, account_id, address_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/trade-accounts/{account_id}/users", status_code=status.HTTP_201_CREATED, responses=NEW_USER)
async def add_user(
    account_id: UUID, body: AddUserRequest, actor: CurrentActor, session: DbSession, ctx: Context
) -> UserBody:
    member = await use_cases.add_user(
        session, ctx, actor, account_id, email=str(body.email), confirm_email=body.confirm_email,
        details=_person(body), type=MemberType(body.type),
    )
    return UserBody.model_validate(member)


@router.put("/trade-accounts/{account_id}/users/{member_id}", responses=WRITE)
async def change_user(
    account_id: UUID, member_id: UUID, body: ChangeUserRequest, actor: CurrentActor, session: DbSession, ctx: Context
) -> UserBody:
    member = await use_cases.change_user(
        session, ctx, actor, account_id, member_id, details=_person(body), type=MemberType(body.type)
    )
    return UserBody.model_validate(member)


@router.delete(
    "/trade-accounts/{account_id}/users/{member_id}", status_code=status.HTTP_204_NO_CONTENT, responses=WRITE
)
async def remove_user(
    account_id: UUID, member_id: UUID, actor: CurrentActor, session: DbSession, ctx: Context
) -> Response:
    await use_cases.remove_user(session, ctx, actor, account_id, member_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
