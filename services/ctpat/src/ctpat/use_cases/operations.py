"""Security Model operations (CT-16..CT-19): requested by an Officer, decided by Management."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from ctpat.domain import policies
from ctpat.domain.actors import Actor
from ctpat.domain.operations import ModelOperation, OperationKind, Preconditions
from ctpat.domain.security_model import ContactType, Ineligible, ModelBusinessType, identifier_errors
from ctpat.repository import OperationReads, OperationRepository, ProfileRepository, SecurityModelRepository
from ctpat.use_cases.context import CtpatContext
from ctpat.use_cases.security_models import load_for_change, show_model
from ctpat.use_cases.security_profile import model_catalogue
from servicekit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from servicekit.reads import Reads


async def request_operation(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, *, kind: OperationKind,
    reason: str, business_types: list[str], eligibility_answers: Mapping[str, str],
    identifiers: Mapping[str, list[str]], other_model_id: uuid.UUID | None,
) -> ModelOperation:
    model, account = await load_for_change(session, model_id)
    contact = policies.ensure_contact(model, actor, account)
    if contact.type is not ContactType.OFFICER:
        raise Forbidden("Only a Company Officer requests Security Model operations.")
    if not model.is_open:
        raise Conflict("A closed Security Model takes no more operations.")
    catalogue = model_catalogue(model)
    if kind is OperationKind.EXPAND:
        if len(business_types) != 1:
            raise ValidationFailed.on("business_types", "an expand adds exactly one business type")
        (code,) = business_types
        spec = catalogue.business_type(code)
        if spec is None:
            raise ValidationFailed.on("business_types", f"must be one of: {', '.join(catalogue.business_types)}")
        if code in model.business_type_codes:
            raise Conflict(f"The Security Model already holds {code}.")
        _, errors = identifier_errors([spec], catalogue, identifiers)
        verdict = spec.assess(eligibility_answers)
        errors.raise_if_any()
        if not verdict.eligible:
            raise Ineligible(spec, verdict.reasons, eligibility_answers)
    elif kind in (OperationKind.EXTRACT, OperationKind.SPLIT):
        Preconditions.types_leaving(model.business_type_codes, business_types, kind)
    else:
        if other_model_id is None or other_model_id == model.id:
            raise ValidationFailed.on("other_model_id", "must name the other Security Model to merge into this one")
        other, _ = await load_for_change(session, other_model_id)
        if other.contact_for(actor.user_id, account) is None or other.trade_account_id != model.trade_account_id:
            raise ValidationFailed.on("other_model_id", "must be a Security Model of the same Trade Account you are "
                                      "a contact of")
        overlap = set(model.business_type_codes) & set(other.business_type_codes)
        if overlap:
            raise Conflict(f"Both Security Models hold {', '.join(sorted(overlap))}.")
    operations = OperationRepository(session)
    if await operations.pending_for([m for m in (model.id, other_model_id) if m]):
        raise Conflict("A request on this Security Model is already waiting for Management.")
    operation = ModelOperation.request(
        kind=kind, security_model_id=model.id, trade_account_id=model.trade_account_id, requested_by=actor.user_id,
        requested_at=ctx.clock.now(), reason=reason, business_types=list(business_types),
        eligibility_answers=dict(eligibility_answers), identifiers={k: list(v) for k, v in identifiers.items()},
        other_model_id=other_model_id,
    )
    await operations.add(operation)
    return operation


async def decide_operation(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, operation_id: uuid.UUID, *, approve: bool,
    reason: str | None,
) -> ModelOperation:
    """Management approves (the operation takes effect now) or declines with a reason."""
    if not actor.is_management:
        raise Forbidden("Only C-TPAT Management decides Security Model operations.")
    operations = OperationRepository(session)
    operation = await operations.get(operation_id)
    if operation is None:
        raise NotFound("No such Security Model operation request.")
    now = ctx.clock.now()
    operation.decide(approve=approve, by=actor.user_id, reason=reason, now=now)
    if approve:
        await _carry_out(session, operation, actor, now)
    operation.announce_decision()
    await operations.save(operation)
    return operation


async def _carry_out(session: AsyncSession, operation: ModelOperation, actor: Actor, now) -> None:
    models = SecurityModelRepository(session)
    model = await models.get(operation.security_model_id)
    catalogue = model_catalogue(model)
    if operation.kind is OperationKind.EXPAND:
        (code,) = operation.business_types
        spec = catalogue.business_type(code)
        found, errors = identifier_errors([spec], catalogue, operation.identifiers)
        errors.raise_if_any()
        verdict = spec.assess(operation.eligibility_answers)
        entry = ModelBusinessType(code, verdict.sub_type or code, await models.next_account_number(),
                                  operation.eligibility_answers)
        model.add_business_type(entry, found, now)
    elif operation.kind in (OperationKind.EXTRACT, OperationKind.SPLIT):
        Preconditions.types_leaving(model.business_type_codes, operation.business_types, operation.kind)
        new = model.separate(operation.business_types, new_id=uuid.uuid4(), catalogue=catalogue, by=actor.user_id,
                             reason=operation.reason, earmark=operation.kind is OperationKind.EXTRACT, now=now)
        await models.add(new)
        kept = [c.id for c in catalogue.criteria_for(new.business_type_codes)]
        await ProfileRepository(session).copy(model.id, new.id, kept)
        operation.resulting_model_id = new.id
    else:
        other = await models.get(operation.other_model_id)
        unique = [c.id for c in catalogue.criteria_for(other.business_type_codes)]
        model.absorb(other, by=actor.user_id, reason=operation.reason, now=now)
        await ProfileRepository(session).copy(other.id, model.id, unique)
        await models.save(other)
    await models.save(model)


async def operations_of_model(reads: Reads, actor: Actor, model_id: uuid.UUID) -> list[ModelOperation]:
    await show_model(reads, actor, model_id)
    return await OperationReads(reads).of_model(model_id)


async def pending_operations(reads: Reads, actor: Actor) -> list[ModelOperation]:
    """Management's queue of requests to decide."""
    if not actor.is_management:
        raise Forbidden("Only C-TPAT Management sees the queue of Security Model operations.")
    return await OperationReads(reads).by_status("pending")
