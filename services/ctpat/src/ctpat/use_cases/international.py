"""The International tab (CT-07) and the agreements an Officer signs or revokes there (CT-06)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ctpat.domain import policies
from ctpat.domain.actors import Actor
from ctpat.domain.international import PROGRAM_BY_AGREEMENT, PROGRAMS, Program
from ctpat.domain.security_model import AgreementKind, Signature
from ctpat.repository import SecurityModelRepository
from ctpat.use_cases.context import CtpatContext
from ctpat.use_cases.security_models import ModelView, load_for_change, show_model
from servicekit.errors import NotFound
from servicekit.reads import Reads


@dataclass(frozen=True)
class ProgramView:
    program: Program
    unavailable_because: str | None
    signature: Signature | None


async def international(reads: Reads, actor: Actor, model_id: uuid.UUID) -> list[ProgramView]:
    model = (await show_model(reads, actor, model_id)).model
    return [ProgramView(p, p.unavailable_because(model), model.signature_in_force(p.agreement)) for p in PROGRAMS]


def _program(agreement: AgreementKind) -> Program:
    program = PROGRAM_BY_AGREEMENT.get(agreement)
    if program is None:
        raise NotFound("No such program on the International tab.")
    return program


async def sign_agreement(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, agreement: AgreementKind, *,
    agreement_version: str, signer_name: str,
) -> ModelView:
    model, account = await load_for_change(session, model_id)
    contact = policies.ensure_contact(model, actor, account)
    program = _program(agreement)
    model.sign_agreement(contact, agreement, program.unavailable_because(model), agreement_version=agreement_version,
                         signer_name=signer_name, signed_by=actor.user_id, now=ctx.clock.now())
    await SecurityModelRepository(session).save(model)
    return ModelView(model, account)


async def revoke_agreement(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, agreement: AgreementKind,
) -> ModelView:
    model, account = await load_for_change(session, model_id)
    contact = policies.ensure_contact(model, actor, account)
    _program(agreement)
    model.revoke_agreement(contact, agreement, by=actor.user_id, now=ctx.clock.now())
    await SecurityModelRepository(session).save(model)
    return ModelView(model, account)
