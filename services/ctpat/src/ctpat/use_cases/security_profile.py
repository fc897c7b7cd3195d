"""The Security Profile, criterion by criterion (CT-08, CT-09)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from ctpat import catalogue as catalogues
from ctpat.catalogue import Catalogue, Criterion
from ctpat.domain import policies
from ctpat.domain.actors import Actor
from ctpat.domain.security_model import SecurityModel
from ctpat.domain.security_profile import CriterionResponse, Evidence, Gap, answer_problems, gaps
from ctpat.repository import (
    ProfileReads,
    ProfileRepository,
    SecurityModelRepository,
    StaffReads,
    TradeAccountReadModel,
)
from ctpat.use_cases.context import CtpatContext
from ctpat.use_cases.security_models import ModelView, show_model
from servicekit.errors import NotFound
from servicekit.reads import Reads
from servicekit.store import StaleAggregate


def model_catalogue(model: SecurityModel) -> Catalogue:
    """The catalogue version the model's profile is answered against (published versions never go away)."""
    found = catalogues.catalogue(model.catalogue_version)
    if found is None:  # pragma: no cover - published versions are never removed
        raise RuntimeError(f"catalogue version {model.catalogue_version} is missing")
    return found


@dataclass(frozen=True)
class ProfileView:
    view: ModelView
    catalogue: Catalogue
    criteria: tuple[Criterion, ...]
    responses: dict[str, CriterionResponse]
    evidence: dict[str, list[Evidence]]
    staff: dict[uuid.UUID, str] = field(default_factory=dict)  # CBP staff the model records, by email

    @property
    def gaps(self) -> list[Gap]:
        return gaps(self.criteria, self.responses, self.evidence)


async def show_profile(reads: Reads, actor: Actor, model_id: uuid.UUID) -> ProfileView:
    view = await show_model(reads, actor, model_id)
    catalogue = model_catalogue(view.model)
    profile = ProfileReads(reads)
    model = view.model
    recorded = {model.scss_user_id, model.created_by, *(e.by for e in model.history),
                *(s.signed_by for s in model.signatures)} - {None}
    return ProfileView(
        view, catalogue, catalogue.criteria_for(model.business_type_codes),
        await profile.responses(model_id), await profile.evidence(model_id),
        await StaffReads(reads).emails(recorded),
    )


async def answer_criterion(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, criterion_id: str, *,
    text: str | None, not_applicable: bool, reason: str | None, revision: int | None,
) -> CriterionResponse:
    """CT-08: any contact saves one response; `revision` is the one it was read at (None: a first answer)."""
    model = await SecurityModelRepository(session).get(model_id)
    if model is None:
        raise NotFound(policies.NOT_FOUND)
    account = await TradeAccountReadModel(session).get(model.trade_account_id)
    policies.ensure_contact(model, actor, account)
    criterion = model_catalogue(model).criterion(criterion_id)
    if criterion is None or criterion not in model_catalogue(model).criteria_for(model.business_type_codes):
        raise NotFound(f"Criterion {criterion_id} is not in this Security Model's profile.")
    model.ensure_profile_editable()
    answer_problems(text, not_applicable, reason).raise_if_any()
    profile = ProfileRepository(session)
    current = await profile.response(model_id, criterion_id)
    if revision is not None and (current is None or current.revision != revision):
        raise StaleAggregate("Someone saved this criterion's response meanwhile; reload it and try again.")
    response = CriterionResponse(
        criterion_id, text.strip() if text else None, not_applicable, reason.strip() if reason else None,
        (current.revision if current else 0) + 1,
        actor.user_id, ctx.clock.now(),
    )
    if response.same_answer(current):
        return current
    await profile.save(model_id, response)
    return response
