"""The C-TPAT Helpdesk: what a CBP Admin may do for a user who is stuck, and the record of it.

The manual sends a user who forgot the security answers to the Helpdesk. A
CBP Admin (staff role `admin`) can then unlock the sign-in (lift the ID-12
locks), clear the security questions (the user chooses new ones at the next
sign-in) and send a reset link (ID-08's email; when the questions are cleared
the link needs no answers, since the Helpdesk vouched for the person). Every
action is recorded with who did it, to whom, how and why; nobody else may act.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from identity.domain.user import User
from servicekit.auth import StaffRole
from servicekit.errors import Forbidden, ValidationFailed

HelpdeskActionKind = Literal["unlock_sign_in", "clear_security_questions", "send_reset_link"]
Channel = Literal["api", "cli"]
HELPDESK_ROLE = StaffRole.ADMIN
MIN_REASON_LENGTH = 3
MAX_REASON_LENGTH = 500


def ensure_helpdesk_admin(actor: User) -> None:
    """Only a CBP Admin acts for the Helpdesk; read from the stored user, not from a token's claims."""
    if actor.kind != "cbp" or HELPDESK_ROLE not in actor.roles:
        raise Forbidden("Only a CBP Admin of the C-TPAT Helpdesk may do this.")


@dataclass(frozen=True)
class HelpdeskAction:
    id: uuid.UUID
    action: HelpdeskActionKind
    user_id: uuid.UUID
    user_email: str
    actor_id: uuid.UUID
    actor_email: str
    channel: Channel
    reason: str
    occurred_at: datetime

    @classmethod
    def record(
        cls, action: HelpdeskActionKind, *, user: User, actor: User, channel: Channel, reason: str, now: datetime
    ) -> HelpdeskAction:
        ensure_helpdesk_admin(actor)
        reason = " ".join(reason.split())
        if not MIN_REASON_LENGTH <= len(reason) <= MAX_REASON_LENGTH:
            raise ValidationFailed.on(
                "reason", f"must have {MIN_REASON_LENGTH} to {MAX_REASON_LENGTH} characters: say why"
            )
        return cls(uuid.uuid4(), action, user.id, user.email, actor.id, actor.email, channel, reason, now)
