"""Request and response bodies of the C-TPAT Helpdesk's endpoints (and of choosing new questions after it)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from identity.api.schemas import QuestionAnswer, Strict
from identity.domain.helpdesk import MAX_REASON_LENGTH, MIN_REASON_LENGTH, Channel, HelpdeskActionKind
from identity.domain.security_questions import REQUIRED_QUESTIONS
from servicekit.schema_types import EmailLookup, text

# servicekit's text types: bounded, no NUL or unpaired surrogate, and their schema says so.
Reason = text(MAX_REASON_LENGTH, min_length=MIN_REASON_LENGTH)
Email = EmailLookup


class HelpdeskActionRequest(Strict):
    action: HelpdeskActionKind = Field(
        description="`unlock_sign_in` lifts the ID-12 locks; `clear_security_questions` makes the user choose "
        "new ones at the next sign-in; `send_reset_link` mails ID-08's link (without questions when cleared)"
    )
    email: Email = Field(description="The user's email (their user name)")
    reason: Reason = Field(description="Why: recorded with the action (e.g. the ticket and how identity was checked)")


class HelpdeskActionBody(BaseModel):
    """One recorded action, read from the domain's `HelpdeskAction`."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    action: HelpdeskActionKind
    user_id: UUID
    user_email: str
    actor_id: UUID
    actor_email: str
    channel: Channel
    reason: str
    occurred_at: datetime


class NewSecurityQuestionsRequest(Strict):
    security_questions: list[QuestionAnswer] = Field(
        min_length=REQUIRED_QUESTIONS, max_length=REQUIRED_QUESTIONS,
        description="Three different questions from `GET /security-questions`",
    )
