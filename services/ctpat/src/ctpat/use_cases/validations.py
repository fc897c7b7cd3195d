"""Validations and the Validation Response (CT-15)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ctpat.domain import policies
from ctpat.domain.actors import Actor
from ctpat.domain.validation import Validation, ValidationResult
from ctpat.repository import ValidationReads, ValidationRepository
from ctpat.use_cases.context import CtpatContext
from ctpat.use_cases.security_models import load_for_change, show_model
from servicekit.errors import Forbidden, NotFound
from servicekit.reads import Reads

NOT_FOUND = "No such validation of this Security Model."


@dataclass(frozen=True)
class ValidationView:
    validation: Validation
    evidence: dict[uuid.UUID, list[tuple[uuid.UUID, str]]]


async def record_validation(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, *, validation_date: date,
    result: ValidationResult, report: str, recommendations: list[str], actions_required: list[str],
) -> ValidationView:
    """CT-15: the assigned SCSS records a validation with its recommendations and actions required."""
    model, account = await load_for_change(session, model_id)
    policies.ensure_can_see(model, actor, account)
    if not policies.is_assigned_scss(model, actor):
        raise Forbidden("Only the Security Model's assigned SCSS records its validations.")
    validation = Validation.record(
        model_id=model.id, scss_user_id=actor.user_id, validation_date=validation_date, result=result,
        report=report, recommendations=recommendations, actions_required=actions_required, now=ctx.clock.now(),
    )
    await ValidationRepository(session).add(validation)
    return ValidationView(validation, {})


async def validation_summary(reads: Reads, actor: Actor, model_id: uuid.UUID) -> list[Validation]:
    """CT-15: every validation of the model, newest first."""
    await show_model(reads, actor, model_id)
    return await ValidationReads(reads).of_model(model_id)


async def show_validation(reads: Reads, actor: Actor, model_id: uuid.UUID, validation_id: uuid.UUID) -> ValidationView:
    await show_model(reads, actor, model_id)
    validations = ValidationReads(reads)
    validation = await validations.get(validation_id)
    if validation is None or validation.security_model_id != model_id:
        raise NotFound(NOT_FOUND)
    return ValidationView(validation, await validations.evidence(validation_id))


async def _for_reply(session: AsyncSession, actor: Actor, model_id: uuid.UUID, validation_id: uuid.UUID):
    model, account = await load_for_change(session, model_id)
    policies.ensure_contact(model, actor, account)
    validations = ValidationRepository(session)
    validation = await validations.get(validation_id)
    if validation is None or validation.security_model_id != model_id:
        raise NotFound(NOT_FOUND)
    return validations, validation


async def reply_to_item(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, validation_id: uuid.UUID,
    item_id: uuid.UUID, text: str,
) -> ValidationView:
    """CT-15: any contact saves a draft reply to one recommendation or action required."""
    validations, validation = await _for_reply(session, actor, model_id, validation_id)
    validation.reply(item_id, text, actor.user_id, ctx.clock.now())
    await validations.save(validation)
    return ValidationView(validation, {})


async def submit_response(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, validation_id: uuid.UUID,
) -> ValidationView:
    """CT-15: submitted once, every item answered."""
    validations, validation = await _for_reply(session, actor, model_id, validation_id)
    validation.submit_response(actor.user_id, ctx.clock.now())
    await validations.save(validation)
    return ValidationView(validation, {})


async def validation_evidence_uploaded(
    session: AsyncSession, *, document_id: uuid.UUID, validation_id: uuid.UUID, item_id: uuid.UUID, title: str,
    uploaded_at,
) -> None:
    await ValidationRepository(session).evidence_uploaded(document_id, validation_id, item_id, title, uploaded_at)
