"""Trade-accounts' endpoints: each parses, calls one use case, and returns."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, status

from servicekit.db import TransactionalRoute
from servicekit.deps import DbSession
from trade_accounts import use_cases
from trade_accounts.api.deps import Context, CurrentActor
from trade_accounts.api.schemas import (
    AddressBody,
    AddressRequest,
    AddUserRequest,
    ChangeUserRequest,
    CompanyInformationBody,
    CreateTradeAccountRequest,
    NavigationAccountBody,
    TradeAccountBody,
    TradeOrganizationBody,
    UserBody,
)
from trade_accounts.domain.actors import Actor
from trade_accounts.domain.addresses import Address
from trade_accounts.domain.trade_account import CompanyInformation, Member, MemberType, PersonDetails, TradeAccount
from trade_accounts.summary_pdf import summary_pdf

router = APIRouter(route_class=TransactionalRoute, tags=["trade accounts"])


def _address(a: Address) -> AddressBody:
    return AddressBody(id=a.id, type=a.type.value, street_line_1=a.street_line_1, street_line_2=a.street_line_2,
                       city=a.city, country=a.country, state=a.state, postal_code=a.postal_code)


def _user(m: Member) -> UserBody:
    return UserBody(id=m.id, user_id=m.user_id, email=m.email, type=m.type.value, status=m.status.value,
                    **m.details.__dict__)


def _account(account: TradeAccount, actor: Actor) -> TradeAccountBody:
    member = account.member_for(actor.user_id)
    return TradeAccountBody(
        id=account.id, parent_id=account.parent_id, version=account.version,
        company_information=CompanyInformationBody(**account.company.__dict__),
        addresses=[_address(a) for a in account.addresses],
        users=[_user(m) for m in account.members],
        your_role=member.type.value if member else None,
    )


def _company(body: CompanyInformationBody) -> CompanyInformation:
    return CompanyInformation(**body.model_dump())


def _person(body: AddUserRequest | ChangeUserRequest) -> PersonDetails:
    return PersonDetails(body.salutation, body.first_name, body.last_name, body.title, body.phone)


@router.post("/trade-accounts", status_code=status.HTTP_201_CREATED)
async def create_trade_account(
    body: CreateTradeAccountRequest, actor: CurrentActor, session: DbSession, ctx: Context
) -> TradeAccountBody:
    account = await use_cases.create_trade_account(session, ctx, actor, _company(body.company_information))
    return _account(account, actor)


@router.get("/navigation")
async def navigation(actor: CurrentActor, session: DbSession) -> list[TradeOrganizationBody]:
    organizations = await use_cases.navigation(session, actor)
    return [
        TradeOrganizationBody(
            top=NavigationAccountBody(**{**o.top.__dict__, "role": o.top.role.value if o.top.role else None}),
            accounts=[NavigationAccountBody(**{**a.__dict__, "role": a.role.value if a.role else None})
                      for a in o.accounts],
        )
        for o in organizations
    ]


@router.get("/trade-accounts/{account_id}")
async def get_trade_account(account_id: UUID, actor: CurrentActor, session: DbSession) -> TradeAccountBody:
    return _account(await use_cases.get_trade_account(session, actor, account_id), actor)


@router.get("/trade-accounts/{account_id}/summary")
async def summary(account_id: UUID, actor: CurrentActor, session: DbSession) -> TradeAccountBody:
    return _account(await use_cases.get_trade_account(session, actor, account_id), actor)


@router.get("/trade-accounts/{account_id}/summary.pdf", response_class=Response)
async def summary_as_pdf(account_id: UUID, actor: CurrentActor, session: DbSession, ctx: Context) -> Response:
    account = await use_cases.get_trade_account(session, actor, account_id)
    return Response(
        summary_pdf(account, ctx.clock.now()), media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="organization-profile-{account.id}.pdf"'},
    )


@router.put("/trade-accounts/{account_id}/company-information")
async def update_company_information(
    account_id: UUID, body: CompanyInformationBody, actor: CurrentActor, session: DbSession, ctx: Context
) -> TradeAccountBody:
    account = await use_cases.update_company_information(session, ctx, actor, account_id, _company(body))
    return _account(account, actor)


@router.post("/trade-accounts/{account_id}/addresses", status_code=status.HTTP_201_CREATED)
async def add_address(
    account_id: UUID, body: AddressRequest, actor: CurrentActor, session: DbSession, ctx: Context
) -> AddressBody:
    return _address(await use_cases.add_address(session, ctx, actor, account_id, body.model_dump()))


@router.put("/trade-accounts/{account_id}/addresses/{address_id}")
async def change_address(
    account_id: UUID, address_id: UUID, body: AddressRequest, actor: CurrentActor, session: DbSession, ctx: Context
) -> AddressBody:
    return _address(await use_cases.change_address(session, ctx, actor, account_id, address_id, body.model_dump()))


@router.delete("/trade-accounts/{account_id}/addresses/{address_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_address(
    account_id: UUID, address_id: UUID, actor: CurrentActor, session: DbSession, ctx: Context
) -> Response:
    await use_cases.remove_address(session, ctx, actor, account_id, address_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/trade-accounts/{account_id}/users", status_code=status.HTTP_201_CREATED)
async def add_user(
    account_id: UUID, body: AddUserRequest, actor: CurrentActor, session: DbSession, ctx: Context
) -> UserBody:
    member = await use_cases.add_user(
        session, ctx, actor, account_id, email=str(body.email), confirm_email=body.confirm_email,
        details=_person(body), type=MemberType(body.type),
    )
    return _user(member)


@router.put("/trade-accounts/{account_id}/users/{member_id}")
async def change_user(
    account_id: UUID, member_id: UUID, body: ChangeUserRequest, actor: CurrentActor, session: DbSession, ctx: Context
) -> UserBody:
    member = await use_cases.change_user(
        session, ctx, actor, account_id, member_id, details=_person(body), type=MemberType(body.type)
    )
    return _user(member)


@router.delete("/trade-accounts/{account_id}/users/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_user(
    account_id: UUID, member_id: UUID, actor: CurrentActor, session: DbSession, ctx: Context
) -> Response:
    await use_cases.remove_user(session, ctx, actor, account_id, member_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
