"""Who may see and do what with a Security Model (CT-06, CT-20), decided from ctpat's own data.

- Only the model's contacts (through an active membership of its Trade
  Account), its assigned SCSS and Management see anything of it (CT-20).
  Anyone else is told it does not exist (404), so its existence is not
  revealed either.
- Any contact edits the company profile and the Security Profile; only a
  Company Officer submits and signs agreements (CT-06).
"""

from __future__ import annotations

from ctpat.domain.actors import Actor
from ctpat.domain.security_model import Contact, SecurityModel
from ctpat.domain.trade_accounts import KnownTradeAccount
from servicekit.errors import Forbidden, NotFound

NOT_FOUND = "No such Security Model."


def is_assigned_scss(model: SecurityModel, actor: Actor) -> bool:
    return actor.is_scss and model.scss_user_id == actor.user_id


def can_see(model: SecurityModel, actor: Actor, account: KnownTradeAccount | None) -> bool:
    return (
        model.contact_for(actor.user_id, account) is not None
        or is_assigned_scss(model, actor)
        or actor.is_management
    )


def ensure_can_see(model: SecurityModel, actor: Actor, account: KnownTradeAccount | None) -> None:
    if not can_see(model, actor, account):
        raise NotFound(NOT_FOUND)


def ensure_contact(model: SecurityModel, actor: Actor, account: KnownTradeAccount | None) -> Contact:
    """Any contact may edit (CT-06); the SCSS and Management see but do not edit the partner's answers."""
    ensure_can_see(model, actor, account)
    contact = model.contact_for(actor.user_id, account)
    if contact is None:
        raise Forbidden("Only the Security Model's contacts change its company profile and Security Profile.")
    return contact

