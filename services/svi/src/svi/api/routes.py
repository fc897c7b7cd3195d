"""svi's endpoints: each parses, calls one use case, and returns."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from servicekit.db import TransactionalRoute
from servicekit.deps import CurrentPrincipal, DbReads, DbSession
from servicekit.openapi import operation_id, problem_responses
from svi import use_cases
from svi.api.deps import Context
from svi.api.schemas import (
    AllModelsRequest,
    CertificationNoticeRequest,
    DecisionRequest,
    ListedState,
    ListRowBody,
    MonitoringRequestBody,
    MonitoringRequestsRequest,
    PointOfContactBody,
    SearchResultBody,
    SearchText,
    SettingsBody,
)

WRITE = problem_responses(409)
router = APIRouter(route_class=TransactionalRoute, generate_unique_id_function=operation_id, tags=["svi"])


def _rows(views, *, share: bool = False) -> list[ListRowBody]:
    """`share`: the list shows partners' status (Partners You Are Monitoring), so what they share more too."""
    return [ListRowBody(
        request_id=v.row.request_id, partner_security_model_id=v.row.partner_model_id,
        company_name=v.row.company_name, state=v.row.state, since=v.row.since, certified=v.partner_certified,
        tier=v.row.partner_status if share and v.shared else None,
        point_of_contact=(PointOfContactBody(name=v.row.poc_name, email=v.row.poc_email)
                          if share and v.shared else None),
    ) for v in views]


@router.get("/security-models/{model_id}/partner-search")
async def partner_search(
    model_id: UUID, q: Annotated[SearchText, Query(description="A company name, or its beginning")],
    principal: CurrentPrincipal, session: DbSession, reads: DbReads,
) -> list[SearchResultBody]:
    """SV-04: companies taking part in SVI (signed, Certified or above) by name: prefix, or a near miss."""
    found = await use_cases.search(session, reads, principal.user_id, model_id, q)
    return [SearchResultBody(security_model_id=m, company_name=n, business_types=t) for m, n, t in found]


@router.post("/security-models/{model_id}/monitoring-requests", status_code=status.HTTP_201_CREATED,
             responses=WRITE)
async def request_monitoring(
    model_id: UUID, body: MonitoringRequestsRequest, principal: CurrentPrincipal, session: DbSession, ctx: Context,
) -> list[MonitoringRequestBody]:
    """SV-03, SV-05: ask several participants in one save to monitor this model."""
    made = await use_cases.request_monitoring(session, ctx, principal.user_id, model_id, body.monitoring_model_ids)
    return [MonitoringRequestBody.model_validate(r) for r in made]


@router.get("/security-models/{model_id}/partners-monitoring-you")
async def partners_monitoring_you(
    model_id: UUID, principal: CurrentPrincipal, session: DbSession, reads: DbReads,
    state: Annotated[ListedState | None, Query()] = None,
) -> list[ListRowBody]:
    """SV-06, SV-10: the partners this model asked to monitor it, and where each request stands."""
    return _rows(await use_cases.monitoring_you(session, reads, principal.user_id, model_id, state))


@router.get("/security-models/{model_id}/partners-you-monitor")
async def partners_you_monitor(
    model_id: UUID, principal: CurrentPrincipal, session: DbSession, reads: DbReads,
    state: Annotated[ListedState | None, Query()] = None,
) -> list[ListRowBody]:
    """SV-08, SV-10: the partners that asked this model to monitor them; their status while accepted."""
    return _rows(await use_cases.you_monitor(session, reads, principal.user_id, model_id, state), share=True)


@router.post("/monitoring-requests/{request_id}/decision", responses=WRITE)
async def decide(
    request_id: UUID, body: DecisionRequest, principal: CurrentPrincipal, session: DbSession, ctx: Context,
) -> MonitoringRequestBody:
    """SV-07: the monitoring partner accepts, declines, or revokes."""
    request = await use_cases.decide(session, ctx, principal.user_id, request_id, body.decision)
    return MonitoringRequestBody.model_validate(request)


@router.post("/monitoring-requests/{request_id}/block-removal", responses=WRITE)
async def remove_block(
    request_id: UUID, principal: CurrentPrincipal, session: DbSession, ctx: Context,
) -> MonitoringRequestBody:
    """SV-09: the monitoring partner removes the block a decline set, so the company may ask again."""
    return MonitoringRequestBody.model_validate(await use_cases.remove_block(session, ctx, principal.user_id,
                                                                             request_id))


# --- beyond the manual, as CBP's later SVI added ---------------------------------------------------------------


@router.post("/trade-accounts/{trade_account_id}/monitoring-requests", status_code=status.HTTP_201_CREATED,
             responses=WRITE)
async def request_monitoring_for_all_models(
    trade_account_id: UUID, body: AllModelsRequest, principal: CurrentPrincipal, session: DbSession, ctx: Context,
) -> list[MonitoringRequestBody]:
    """Ask for every participating Security Model of the company you are a contact of, at once."""
    made = await use_cases.request_for_all_models(session, ctx, principal.user_id, trade_account_id,
                                                  body.monitoring_model_ids)
    return [MonitoringRequestBody.model_validate(r) for r in made]


@router.get("/security-models/{model_id}/svi-settings")
async def get_settings(model_id: UUID, principal: CurrentPrincipal, session: DbSession) -> SettingsBody:
    auto_accept, share_more = await use_cases.settings(session, principal.user_id, model_id)
    return SettingsBody(auto_accept=auto_accept, share_more=share_more)


@router.put("/security-models/{model_id}/svi-settings")
async def change_settings(
    model_id: UUID, body: SettingsBody, principal: CurrentPrincipal, session: DbSession,
) -> SettingsBody:
    auto_accept, share_more = await use_cases.change_settings(
        session, principal.user_id, model_id, auto_accept=body.auto_accept, share_more=body.share_more)
    return SettingsBody(auto_accept=auto_accept, share_more=share_more)


@router.post("/security-models/{model_id}/certification-notices", status_code=status.HTTP_202_ACCEPTED,
             responses=WRITE)
async def send_certification_notice(
    model_id: UUID, body: CertificationNoticeRequest, principal: CurrentPrincipal, session: DbSession,
    ctx: Context,
) -> dict[str, str]:
    """E-mail your C-TPAT certification notice to a company outside C-TPAT (queued; the worker sends it)."""
    await use_cases.send_certification_notice(session, ctx, principal.user_id, model_id, str(body.email), body.note)
    return {"status": "queued"}
