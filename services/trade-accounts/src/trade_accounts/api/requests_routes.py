"""Trade Account operations: link, delink, split and merge requests, decisions, and Tasks (TA-08..TA-15)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from servicekit.db import TransactionalRoute
from servicekit.deps import DbSession
from trade_accounts import use_cases
from trade_accounts.api.deps import Context, CurrentActor
from trade_accounts.api.schemas import (
    ApprovalBody,
    DecisionRequest,
    DelinkRequest,
    HistoryBody,
    LinkRequest,
    MergeRequest,
    RequestBody,
    SplitRequest,
    TasksBody,
)
from trade_accounts.domain.requests import Decision, TradeAccountRequest

router = APIRouter(route_class=TransactionalRoute, tags=["trade account operations"])


def _body(r: TradeAccountRequest) -> RequestBody:
    return RequestBody(
        id=r.id, kind=r.kind.value, status=r.status.value, requested_by=r.requested_by,
        requested_at=r.requested_at, requesting_account_id=r.requesting_account_id, parent_id=r.parent_id,
        subsidiary_id=r.subsidiary_id, reason=r.reason, new_company_name=r.new_company_name,
        moving_security_model_ids=r.moving_security_model_ids,
        approvals=[ApprovalBody(kind=a.kind.value, trade_account_id=a.trade_account_id,
                                decision=a.decision.value if a.decision else None, decided_by=a.decided_by,
                                decided_at=a.decided_at, reason=a.reason) for a in r.approvals],
        history=[HistoryBody(at=h.at, by=h.by, action=h.action, detail=h.detail) for h in r.history],
    )


@router.post("/trade-account-requests/link", status_code=status.HTTP_201_CREATED)
async def request_link(body: LinkRequest, actor: CurrentActor, session: DbSession, ctx: Context) -> RequestBody:
    return _body(await use_cases.request_link(session, ctx, actor, **body.model_dump()))


@router.post("/trade-account-requests/delink", status_code=status.HTTP_201_CREATED)
async def request_delink(body: DelinkRequest, actor: CurrentActor, session: DbSession, ctx: Context) -> RequestBody:
    return _body(await use_cases.request_delink(session, ctx, actor, **body.model_dump()))


@router.post("/trade-account-requests/split", status_code=status.HTTP_201_CREATED)
async def request_split(body: SplitRequest, actor: CurrentActor, session: DbSession, ctx: Context) -> RequestBody:
    return _body(await use_cases.request_split(session, ctx, actor, **body.model_dump()))


@router.post("/trade-account-requests/merge", status_code=status.HTTP_201_CREATED)
async def request_merge(body: MergeRequest, actor: CurrentActor, session: DbSession, ctx: Context) -> RequestBody:
    return _body(await use_cases.request_merge(session, ctx, actor, **body.model_dump()))


@router.get("/trade-account-requests/{request_id}")
async def get_request(request_id: UUID, actor: CurrentActor, session: DbSession) -> RequestBody:
    return _body(await use_cases.get_request(session, actor, request_id))


@router.post("/trade-account-requests/{request_id}/decision")
async def decide(
    request_id: UUID, body: DecisionRequest, actor: CurrentActor, session: DbSession, ctx: Context
) -> RequestBody:
    request = await use_cases.decide_request(session, ctx, actor, request_id, Decision(body.decision), body.reason)
    return _body(request)


@router.post("/trade-account-requests/{request_id}/cancel")
async def cancel(request_id: UUID, actor: CurrentActor, session: DbSession, ctx: Context) -> RequestBody:
    return _body(await use_cases.cancel_request(session, ctx, actor, request_id))


@router.get("/tasks")
async def tasks(actor: CurrentActor, session: DbSession) -> TasksBody:
    found = await use_cases.tasks(session, actor)
    return TasksBody(to_act_on=[_body(r) for r in found.to_act_on], requested=[_body(r) for r in found.requested])
