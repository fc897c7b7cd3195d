"""The annual review (CT-13): windows opened by the worker's scheduler, affirmed by contacts, submitted by an
Officer, approved by the SCSS."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from ctpat.domain import policies
from ctpat.domain.actors import Actor
from ctpat.domain.annual_review import AnnualReview, ReviewState
from ctpat.repository import AffirmationRepository, ProfileReads, ProfileRepository, SecurityModelRepository
from ctpat.use_cases.context import CtpatContext
from ctpat.use_cases.security_models import load_for_change, show_model
from ctpat.use_cases.security_profile import answer_criterion, model_catalogue
from servicekit.clock import Clock
from servicekit.db import Database
from servicekit.errors import Conflict, Forbidden, NotFound
from servicekit.reads import Reads
from servicekit.store import StaleAggregate

log = structlog.get_logger("ctpat.annual_reviews")


async def open_due_reviews(database: Database, clock: Clock, *, batch: int = 200) -> int:
    """Opens every window due today, each in its own transaction. Several workers may run this at once: the
    model's version check lets one of them open a window, and the others' saves are refused and skipped."""
    opened = 0
    today, now = clock.now().date(), clock.now()
    async with database.transaction() as session:
        due = await SecurityModelRepository(session).due_for_review(today, batch)
    for model_id in due:
        try:
            async with database.transaction() as session:
                models = SecurityModelRepository(session)
                model = await models.get(model_id)
                if model is not None and model.open_annual_review(today, now) is not None:
                    await models.save(model)
                    opened += 1
        except StaleAggregate:
            log.info("annual review window opened by another worker", security_model_id=str(model_id))
    return opened


@dataclass(frozen=True)
class ReviewView:
    review: AnnualReview
    affirmed: frozenset[str]
    statements: int
    today_missed: bool


async def annual_reviews(reads: Reads, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID) -> list[ReviewView]:
    view = await show_model(reads, actor, model_id)
    model = view.model
    total = len(model_catalogue(model).criteria_for(model.business_type_codes))
    affirmations = await ProfileReads(reads).affirmations(model_id)
    today = ctx.clock.now().date()
    return [ReviewView(r, frozenset(affirmations.get(r.review_year, set())), total, r.missed_on(today))
            for r in model.reviews]


async def affirm(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, year: int, criterion_id: str, *,
    affirmed: bool, updated_response: str | None,
) -> None:
    """CT-13: any contact checks a statement's box, updating its response where practice changed."""
    model, account = await load_for_change(session, model_id)
    policies.ensure_contact(model, actor, account)
    review = model.annual_review(year)
    criterion = model_catalogue(model).criterion(criterion_id)
    if criterion is None or criterion not in model_catalogue(model).criteria_for(model.business_type_codes):
        raise NotFound(f"Criterion {criterion_id} is not in this Security Model's profile.")
    if review.state is not ReviewState.OPEN:
        raise Conflict(f"The {year} annual review was already submitted.")
    if updated_response is not None:
        await answer_criterion(session, ctx, actor, model_id, criterion_id, text=updated_response,
                               not_applicable=False, reason=None, revision=None)
    affirmations = AffirmationRepository(session)
    if affirmed:
        await affirmations.affirm(model_id, year, criterion_id, actor.user_id, ctx.clock.now())
    else:
        await affirmations.withdraw(model_id, year, criterion_id)


async def submit_review(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, year: int,
) -> ReviewView:
    model, account = await load_for_change(session, model_id)
    contact = policies.ensure_contact(model, actor, account)
    statements = model_catalogue(model).criteria_for(model.business_type_codes)
    affirmed = await AffirmationRepository(session).affirmed(model_id, year)
    review = model.submit_annual_review(contact, year, [c.id for c in statements if c.id not in affirmed],
                                        by=actor.user_id, now=ctx.clock.now())
    await SecurityModelRepository(session).save(model)
    return ReviewView(review, frozenset(affirmed), len(statements), False)


async def approve_review(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, year: int,
) -> ReviewView:
    """The assigned SCSS approves; responses the review changed are kept as new approved versions (CT-12)."""
    model, account = await load_for_change(session, model_id)
    policies.ensure_can_see(model, actor, account)
    if not policies.is_assigned_scss(model, actor):
        raise Forbidden("Only the Security Model's assigned SCSS approves its annual review.")
    now = ctx.clock.now()
    review = model.approve_annual_review(year, by=actor.user_id, now=now)
    await ProfileRepository(session).approve_changed(model_id, actor.user_id, now)
    await SecurityModelRepository(session).save(model)
    affirmed = await AffirmationRepository(session).affirmed(model_id, year)
    statements = len(model_catalogue(model).criteria_for(model.business_type_codes))
    return ReviewView(review, frozenset(affirmed), statements, False)
