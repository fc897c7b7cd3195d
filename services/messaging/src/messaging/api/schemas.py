"""messaging's HTTP bodies, in servicekit's vocabulary."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field, StrictBool

from messaging.domain.thread import BODY_MAX, SUBJECT_MAX, Author
from servicekit.schema_types import Strict, text

Subject = text(SUBJECT_MAX)
Body = text(BODY_MAX)
# MSG-02: a list of threads, by its newest message: newest first (the default) or oldest first.
ThreadSort = Literal["-last_posted_at", "last_posted_at"]


class NewThreadRequest(Strict):
    """MSG-04: a subject, a body and, optionally, a document of the model's Partner Library."""

    subject: Subject
    body: Body
    document_id: UUID | None = None


class ReplyRequest(Strict):
    body: Body
    document_id: UUID | None = None


class NameChangeRequest(Strict):
    """To CBP: the company name the Trade Account should have, and why."""

    requested_name: Subject
    reason: text(2000) | None = None


class ThreadRowBody(Strict):
    id: UUID
    security_model_id: UUID | None = Field(description="None for a Trade Account's request to CBP")
    trade_account_id: UUID | None = Field(description="The account a request to CBP is for")
    company_name: str
    subject: str
    kind: str
    status: str = Field(description="open, or closed once the request it carried was done")
    created_at: datetime
    last_posted_at: datetime
    message_count: int
    unread: bool = Field(description="Unread by you (MSG-02): messages came since you last read it")


class ThreadPageBody(Strict):
    items: list[ThreadRowBody]
    total: int
    limit: int
    offset: int


class AttachmentBody(Strict):
    document_id: UUID
    title: str


class MessageBody(Strict):
    id: UUID
    sequence: int
    author: Author
    author_user_id: UUID | None
    body: str
    attachment: AttachmentBody | None
    posted_at: datetime


class ThreadBody(Strict):
    id: UUID
    security_model_id: UUID | None
    trade_account_id: UUID | None
    subject: str
    kind: str
    status: str
    created_at: datetime
    messages: list[MessageBody] = Field(description="Every message, the newest on top (MSG-03)")
    unread_before: bool = Field(False, description="There was something you had not read when you opened it")


class NotificationSettingsBody(Strict):
    # Strict: a JSON true or false, never "false" or 0 read as one (the schema says boolean, so must the server).
    email_notices: StrictBool = Field(description="A short e-mail (no message text, a link) for each new message")
