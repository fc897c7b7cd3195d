"""Submitting the application (CT-06, CT-11) and the CBP side: SCSS assignment and review (CT-12)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ctpat.domain import policies
from ctpat.domain.actors import Actor
from ctpat.domain.security_model import Status
from ctpat.domain.security_profile import ApprovedResponse, gaps
from ctpat.repository import (
    KnownStaff,
    ProfileReads,
    ProfileRepository,
    QueueItem,
    SecurityModelRepository,
    StaffReads,
    StaffRepository,
    WorkQueueReads,
)
from ctpat.use_cases.context import CtpatContext
from ctpat.use_cases.security_models import ModelView, load_for_change, show_model
from ctpat.use_cases.security_profile import model_catalogue
from servicekit.auth import StaffRole
from servicekit.errors import Forbidden, NotFound, ValidationFailed
from servicekit.reads import Reads


async def submit_application(
    session: AsyncSession, reads: Reads, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, *,
    agreement_version: str, signer_name: str,
) -> ModelView:
    """CT-06, CT-11: an Officer signs the Partner Agreement and submits a complete profile (application or update)."""
    model, account = await load_for_change(session, model_id)
    contact = policies.ensure_contact(model, actor, account)
    catalogue = model_catalogue(model)
    profile = ProfileReads(reads)
    found = gaps(catalogue.criteria_for(model.business_type_codes), await profile.responses(model_id),
                 await profile.evidence(model_id))
    model.submit_profile(contact, account, found, signer_name=signer_name, agreement_version=agreement_version,
                             signed_by=actor.user_id, now=ctx.clock.now())
    await SecurityModelRepository(session).save(model)
    return ModelView(model, account)


async def assign_scss(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, scss_user_id: uuid.UUID,
) -> ModelView:
    """CT-12: Management assigns the model's SCSS, who must be a known SCSS."""
    model, account = await load_for_change(session, model_id)
    policies.ensure_can_see(model, actor, account)
    if not actor.is_management:
        raise Forbidden("Only C-TPAT Management assigns a Supply Chain Security Specialist.")
    roles = await StaffRepository(session).roles(scss_user_id)
    if roles is None or StaffRole.SCSS not in roles:
        raise ValidationFailed.on("scss_user_id", "is not a Supply Chain Security Specialist")
    model.assign_scss(scss_user_id, ctx.clock.now())
    await SecurityModelRepository(session).save(model)
    return ModelView(model, account)


async def staff_with_role(
    reads: Reads, actor: Actor, role: StaffRole, *, email_contains: str | None, user_id: uuid.UUID | None,
    limit: int, offset: int,
) -> tuple[list[KnownStaff], int]:
    """CT-12: the staff Management picks an SCSS from (as identity's events told ctpat), by email."""
    if not actor.is_management:
        raise Forbidden("Only C-TPAT Management lists CBP staff to assign.")
    return await StaffReads(reads).with_role(role.value, email_contains=email_contains, user_id=user_id, limit=limit,
                                             offset=offset)


async def review(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, *, approve: bool,
    reason: str | None,
) -> ModelView:
    """CT-12: the assigned SCSS approves (each changed response kept as a new version) or returns the profile."""
    model, account = await load_for_change(session, model_id)
    policies.ensure_can_see(model, actor, account)
    if not policies.is_assigned_scss(model, actor):
        raise Forbidden("Only the Security Model's assigned SCSS reviews its Security Profile.")
    now = ctx.clock.now()
    if approve:
        model.approve(actor.user_id, now)
        await ProfileRepository(session).approve_changed(model_id, actor.user_id, now)
    else:
        if not reason or not reason.strip():
            raise ValidationFailed.on("reason", "is required when returning the profile: say what to change")
        model.return_to_partner(actor.user_id, reason.strip(), now)
    await SecurityModelRepository(session).save(model)
    return ModelView(model, account)


async def approved_versions(
    reads: Reads, actor: Actor, model_id: uuid.UUID, criterion_id: str,
) -> list[ApprovedResponse]:
    """CT-12: every approved version of one response, newest first."""
    view = await show_model(reads, actor, model_id)
    if model_catalogue(view.model).criterion(criterion_id) is None:
        raise NotFound(f"Criterion {criterion_id} is not in this Security Model's profile.")
    return await ProfileReads(reads).approved_versions(model_id, criterion_id)


async def change_status(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, status: Status, reason: str,
) -> ModelView:
    """CT-14: the assigned SCSS or Management moves the lifecycle; every change is kept with who and why."""
    model, account = await load_for_change(session, model_id)
    policies.ensure_can_see(model, actor, account)
    if not (actor.is_management or policies.is_assigned_scss(model, actor)):
        raise Forbidden("Only the assigned SCSS or C-TPAT Management changes a Security Model's status.")
    model.change_status(status, by=actor.user_id, reason=reason, catalogue=model_catalogue(model),
                        management=actor.is_management, now=ctx.clock.now())
    await SecurityModelRepository(session).save(model)
    return ModelView(model, account)


async def change_anniversary(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, anniversary: date, reason: str,
) -> ModelView:
    model, account = await load_for_change(session, model_id)
    policies.ensure_can_see(model, actor, account)
    if not actor.is_management:
        raise Forbidden("Only C-TPAT Management changes a certification anniversary.")
    model.change_anniversary(anniversary, by=actor.user_id, reason=reason, now=ctx.clock.now())
    await SecurityModelRepository(session).save(model)
    return ModelView(model, account)


async def withdraw(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, reason: str,
) -> ModelView:
    model, account = await load_for_change(session, model_id)
    contact = policies.ensure_contact(model, actor, account)
    model.withdraw(contact, reason, ctx.clock.now(), actor.user_id)
    await SecurityModelRepository(session).save(model)
    return ModelView(model, account)


async def work_queue(reads: Reads, actor: Actor) -> list[QueueItem]:
    """CT-12: the SCSS's queue: their models where a submission waits for them."""
    if not actor.is_scss:
        raise Forbidden("The work queue is an SCSS's: the models assigned to them.")
    return await WorkQueueReads(reads).of_scss(actor.user_id)
