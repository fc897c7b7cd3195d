"""The Security Model Summary (CT-10): the whole model in one read, and as a PDF to save and print.

Access is the model's own (CT-20): whoever may see the model sees its summary; anyone else gets 404.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

from fastapi import APIRouter, Response

from ctpat import use_cases
from ctpat.api.deps import Context, CurrentActor
from ctpat.api.schemas import ProfileBody, SecurityModelBody
from ctpat.summary_pdf import summary_pdf
from servicekit.db import TransactionalRoute
from servicekit.deps import DbReads
from servicekit.openapi import operation_id
from servicekit.schema_types import Strict

router = APIRouter(route_class=TransactionalRoute, generate_unique_id_function=operation_id)


class SummaryBody(Strict):
    """Everything entered into the Security Model: the company profile and the Security Profile."""

    security_model: SecurityModelBody
    profile: ProfileBody

    @classmethod
    def of(cls, profile: use_cases.ProfileView) -> SummaryBody:
        return cls(security_model=SecurityModelBody.of(profile.view), profile=ProfileBody.of(profile))


@router.get("/security-models/{model_id}/summary", tags=["summary"])
async def get_security_model_summary(model_id: UUID, actor: CurrentActor, reads: DbReads) -> SummaryBody:
    return SummaryBody.of(await use_cases.show_profile(reads, actor, model_id))


@router.get(
    "/security-models/{model_id}/summary.pdf", tags=["summary"], response_class=Response,
    responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                     "description": "The Security Model Summary as a PDF, to save and print"}},
)
async def get_security_model_summary_pdf(
    model_id: UUID, actor: CurrentActor, reads: DbReads, ctx: Context,
) -> Response:
    profile = await use_cases.show_profile(reads, actor, model_id)
    # A full profile takes a few hundred milliseconds of CPU to lay out: off the event loop.
    pdf = await asyncio.to_thread(summary_pdf, profile, ctx.clock.now())
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="security-model-{model_id}.pdf"'})
