"""Request and response bodies of the C-TPAT Helpdesk's endpoints (and of choosing new questions after it)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from identity.api.schemas import QuestionAnswer, Strict
from identity.domain.helpdesk import MAX_REASON_LENGTH, MIN_REASON_LENGTH, Channel, HelpdeskActionKind
from identity.domain.security_questions import REQUIRED_QUESTIONS


def _plain_text(value: str) -> str:
    """Text PostgreSQL can store: no NUL, no unpaired surrogate (refused with a 422 naming the field)."""
    if "\x00" in value or any("\ud800" <= c <= "\udfff" for c in value):
        raise ValueError("must not contain NUL or unpaired surrogate characters")
    return value


Email = Annotated[str, Field(min_length=3, max_length=254), AfterValidator(_plain_text)]
Reason = Annotated[
    str, Field(min_length=MIN_REASON_LENGTH, max_length=MAX_REASON_LENGTH, pattern=r"\S"),
    AfterValidator(_plain_text),
]


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
