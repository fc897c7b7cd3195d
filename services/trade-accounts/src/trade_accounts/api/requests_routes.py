"""Trade Account operations: link, delink, split and merge requests, decisions, and Tasks (TA-08..TA-15)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from servicekit.db import TransactionalRoute
from servicekit.deps import DbSession
from servicekit.openapi import links_to, operation_id, problem_responses
from trade_accounts import use_cases
from trade_accounts.api.deps import Context, CurrentActor
from trade_accounts.api.schemas import (
    DecisionRequest,
    DelinkRequest,
    LinkRequest,
    MergeRequest,
    RequestBody,
    SplitRequest,
    TasksBody,
)
from trade_accounts.domain.requests import Decision

# Every write saves an aggregate at the version it was loaded: a concurrent change answers 409.
WRITE = problem_responses(409)
# A request names its accounts in the body: one that does not exist answers 404.
WRITE_NAMING_ACCOUNTS = problem_responses(404, 409)
# A new request leads to reading, deciding and cancelling it.
NEW_REQUEST = {
    **WRITE_NAMING_ACCOUNTS, 201: links_to("get_request", "decide", "cancel", request_id="$response.body#/id"),
}
# `{request_id:uuid}`: `/trade-account-requests/link` is not a request id, so GET there is a 405, not a 422.
router = APIRouter(
    route_class=TransactionalRoute, tags=["trade account operations"], generate_unique_id_function=operation_id
)


@router.post("/trade-account-requests/link", status_code=status.HTTP_201_CREATED, responses=NEW_REQUEST)
async def request_link(body: LinkRequest, actor: CurrentActor, session: DbSession, ctx: Context) -> RequestBody:
    return RequestBody.model_validate(await use_cases.request_link(session, ctx, actor, **body.model_dump()))


@router.post("/trade-account-requests/delink", status_code=status.HTTP_201_CREATED, responses=NEW_REQUEST)
async def request_delink(body: DelinkRequest, actor: CurrentActor, session: DbSession, ctx: Context) -> RequestBody:
    return RequestBody.model_validate(await use_cases.request_delink(session, ctx, actor, **body.model_dump()))


@router.post("/trade-account-requests/split", status_code=status.HTTP_201_CREATED, responses=NEW_REQUEST)
async def request_split(body: SplitRequest, actor: CurrentActor, session: DbSession, ctx: Context) -> RequestBody:
    return RequestBody.model_validate(await use_cases.request_split(session, ctx, actor, **body.model_dump()))


@router.post("/trade-account-requests/merge", status_code=status.HTTP_201_CREATED, responses=NEW_REQUEST)
async def request_merge(body: MergeRequest, actor: CurrentActor, session: DbSession, ctx: Context) -> RequestBody:
    return RequestBody.model_validate(await use_cases.request_merge(session, ctx, actor, **body.model_dump()))


@router.get("/trade-account-requests/{request_id:uuid}")
async def get_request(request_id: UUID, actor: CurrentActor, session: DbSession) -> RequestBody:
    return RequestBody.model_validate(await use_cases.get_request(session, actor, request_id))


@router.post("/trade-account-requests/{request_id:uuid}/decision", responses=WRITE)
async def decide(
    request_id: UUID, body: DecisionRequest, actor: CurrentActor, session: DbSession, ctx: Context
) -> RequestBody:
    request = await use_cases.decide_request(session, ctx, actor, request_id, Decision(body.decision), body.reason)
    return RequestBody.model_validate(request)


@router.post("/trade-account-requests/{request_id:uuid}/cancel", responses=WRITE)
async def cancel(request_id: UUID, actor: CurrentActor, session: DbSession, ctx: Context) -> RequestBody:
    return RequestBody.model_validate(await use_cases.cancel_request(session, ctx, actor, request_id))


@router.get("/tasks")
async def tasks(
    actor: CurrentActor, session: DbSession,
    trade_account_id: Annotated[UUID | None, Query(description="Only requests involving this Trade Account")] = None,
) -> TasksBody:
    return TasksBody.model_validate(await use_cases.tasks(session, actor, trade_account_id))
