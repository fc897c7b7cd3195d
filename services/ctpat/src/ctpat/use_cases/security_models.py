"""Starting an application and keeping the company profile (CT-01..CT-05, CT-20)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ctpat import catalogue as catalogues
from ctpat.domain import policies
from ctpat.domain.actors import Actor
from ctpat.domain.security_model import Contact, ContactType, ProfileAddress, SecurityModel
from ctpat.domain.trade_accounts import KnownTradeAccount
from ctpat.repository import (
    SecurityModelReads,
    SecurityModelRepository,
    StaffReads,
    TradeAccountReadModel,
    TradeAccountReads,
)
from ctpat.use_cases.context import CtpatContext
from servicekit.errors import Forbidden, NotFound
from servicekit.reads import Reads


@dataclass(frozen=True)
class ModelView:
    """A model with the Trade Account it draws its addresses and contacts from, as the caller may see it."""

    model: SecurityModel
    account: KnownTradeAccount | None
    scss_email: str | None = None  # the assigned SCSS, as identity's events told ctpat: whom the partner writes to


async def start_application(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, *, trade_account_id: uuid.UUID, business_type: str,
    eligibility_answers: Mapping[str, str], identifiers: Mapping[str, list[str]],
    applicant_contact_type: ContactType,
) -> ModelView:
    if actor.roles:
        # CBP staff see Trade Accounts (they are no strangers to them), but applying is the trade's own act.
        raise Forbidden("CBP staff do not apply for C-TPAT; a user of the Trade Account does.")
    account = await TradeAccountReadModel(session).get(trade_account_id)
    if account is None or account.active_member(actor.user_id) is None:
        # Not a user of it (or not one ctpat has heard of yet): the account is not revealed.
        raise NotFound("No such Trade Account, or you are not one of its users.")
    models = SecurityModelRepository(session)
    model = SecurityModel.apply(
        model_id=uuid.uuid4(), account=account, actor=actor, catalogue=catalogues.current(),
        business_type=business_type, eligibility_answers=eligibility_answers, identifiers=identifiers,
        applicant_contact_type=applicant_contact_type, account_number=await models.next_account_number(),
        now=ctx.clock.now(),
    )
    await models.add(model)
    return ModelView(model, account)


async def show_model(reads: Reads, actor: Actor, model_id: uuid.UUID) -> ModelView:
    model = await SecurityModelReads(reads).get(model_id)
    if model is None:
        raise NotFound(policies.NOT_FOUND)
    account = await TradeAccountReads(reads).get(model.trade_account_id)
    policies.ensure_can_see(model, actor, account)
    emails = await StaffReads(reads).emails({model.scss_user_id} - {None})
    return ModelView(model, account, emails.get(model.scss_user_id))


async def models_of_account(reads: Reads, actor: Actor, trade_account_id: uuid.UUID) -> list[ModelView]:
    """The Trade Account's C-TPAT accounts at a glance: only those the caller may see (CT-20)."""
    account = await TradeAccountReads(reads).get(trade_account_id)
    models = SecurityModelReads(reads)
    seen = []
    for model_id in await models.ids_of_account(trade_account_id):
        model = await models.get(model_id)
        if model is not None and policies.can_see(model, actor, account):
            seen.append(model)
    emails = await StaffReads(reads).emails({m.scss_user_id for m in seen} - {None})
    return [ModelView(m, account, emails.get(m.scss_user_id)) for m in seen]


async def load_for_change(
    session: AsyncSession, model_id: uuid.UUID,
) -> tuple[SecurityModel, KnownTradeAccount | None]:
    """The model, loaded to be changed and saved at its version, with the Trade Account it draws from."""
    model = await SecurityModelRepository(session).get(model_id)
    if model is None:
        raise NotFound(policies.NOT_FOUND)
    account = await TradeAccountReadModel(session).get(model.trade_account_id)
    return model, account


async def replace_identifiers(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID,
    identifiers: Mapping[str, list[str]],
) -> ModelView:
    """CT-02: contacts keep the identifiers; IOR, SCAC and MID once entered only the assigned SCSS changes."""
    model, account = await load_for_change(session, model_id)
    is_scss = policies.is_assigned_scss(model, actor)
    if not is_scss:
        policies.ensure_contact(model, actor, account)
    catalogue = catalogues.catalogue(model.catalogue_version) or catalogues.current()
    model.replace_identifiers(actor, catalogue, identifiers, is_scss=is_scss, now=ctx.clock.now())
    await SecurityModelRepository(session).save(model)
    return ModelView(model, account)


async def replace_addresses(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, addresses: list[ProfileAddress],
) -> ModelView:
    model, account = await load_for_change(session, model_id)
    policies.ensure_contact(model, actor, account)
    model.replace_addresses(account, addresses, ctx.clock.now())
    await SecurityModelRepository(session).save(model)
    return ModelView(model, account)


async def replace_contacts(
    session: AsyncSession, ctx: CtpatContext, actor: Actor, model_id: uuid.UUID, contacts: list[Contact],
) -> ModelView:
    model, account = await load_for_change(session, model_id)
    contact = policies.ensure_contact(model, actor, account)
    model.replace_contacts(account, contacts, ctx.clock.now(), by=contact)
    await SecurityModelRepository(session).save(model)
    return ModelView(model, account)
