"""A thread of messages about one Security Model (MSG-02..MSG-05).

A contact of the model or its assigned SCSS starts a thread with a subject, a body and, if they like, a document
of the model's Partner Library attached (MSG-04); anyone who takes part replies to the same thread (MSG-03). The
portal itself starts threads too (MSG-05): the annual review window opening, with its due date. A message is
never edited or removed: the thread is the record of the correspondence.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from portal_events.messaging import MessagePosted
from servicekit.aggregate import RecordsEvents
from servicekit.errors import Conflict, FieldErrors

SUBJECT_MAX = 200
BODY_MAX = 10_000


class Author(StrEnum):
    CONTACT = "contact"  # the company's side: a contact of the model, or the Trade Account's administrator
    SCSS = "scss"
    MANAGEMENT = "management"  # CBP's program mailbox, for an account with no SCSS
    SYSTEM = "system"


class Kind(StrEnum):
    CONVERSATION = "conversation"
    SYSTEM = "system"
    NAME_CHANGE = "name_change"  # the manual: "to change the company name, you must contact your assigned SCSS"


class Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # the request it carried was done: nothing more is posted to it


@dataclass(frozen=True)
class Attachment:
    document_id: uuid.UUID
    title: str


@dataclass(frozen=True)
class Message:
    id: uuid.UUID
    sequence: int
    author: Author
    author_user_id: uuid.UUID | None
    body: str
    attachment: Attachment | None
    posted_at: datetime


def clean_subject(subject: str, errors: FieldErrors) -> str:
    cleaned = " ".join(subject.split())
    if not cleaned:
        errors.add("subject", "is required")
    elif len(cleaned) > SUBJECT_MAX:
        errors.add("subject", f"is longer than {SUBJECT_MAX} characters")
    return cleaned


def clean_body(body: str, errors: FieldErrors) -> str:
    """A body keeps its lines; it only loses the blank ones around it."""
    cleaned = body.strip()
    if not cleaned:
        errors.add("body", "is required")
    elif len(cleaned) > BODY_MAX:
        errors.add("body", f"is longer than {BODY_MAX} characters")
    elif "\x00" in cleaned:
        errors.add("body", "contains a NUL character")
    return cleaned


@dataclass
class Thread(RecordsEvents):
    id: uuid.UUID
    security_model_id: uuid.UUID | None  # None: a Trade Account's request to CBP
    subject: str
    kind: Kind
    messages: list[Message]
    created_at: datetime
    trade_account_id: uuid.UUID | None = None
    status: Status = Status.OPEN
    version: int = 0
    events: list[Any] = field(default_factory=list)

    @classmethod
    def start(cls, *, thread_id: uuid.UUID, security_model_id: uuid.UUID, subject: str, body: str, author: Author,
              author_user_id: uuid.UUID | None, attachment: Attachment | None, now: datetime) -> Thread:
        """MSG-04: a new message names the model, a subject and a body, and may attach a document."""
        errors = FieldErrors()
        subject = clean_subject(subject, errors)
        body = clean_body(body, errors)
        errors.raise_if_any()
        kind = Kind.SYSTEM if author is Author.SYSTEM else Kind.CONVERSATION
        thread = cls(thread_id, security_model_id, subject, kind, [], now)
        thread._post(author, author_user_id, body, attachment, now)
        return thread

    @classmethod
    def ask_name_change(cls, *, thread_id: uuid.UUID, trade_account_id: uuid.UUID, current_name: str,
                        requested_name: str, reason: str | None, author_user_id: uuid.UUID,
                        now: datetime) -> Thread:
        """The manual's Company Information: the company name is changed by CBP, asked by the account's
        administrator; the request is a thread to the assigned SCSS (or CBP's program mailbox)."""
        errors = FieldErrors()
        requested = clean_subject(requested_name, FieldErrors())
        if not requested:
            errors.add("requested_name", "is required")
        elif len(requested) > 200:
            errors.add("requested_name", "is longer than 200 characters")
        elif requested == current_name:
            errors.add("requested_name", "is the company's name already")
        errors.raise_if_any()
        body = (f"Please change our company name from \"{current_name}\" to \"{requested}\"."
                + (f"\n\nReason: {reason.strip()}" if reason and reason.strip() else ""))
        thread = cls(thread_id, None, f"Company name change: {requested}"[:SUBJECT_MAX], Kind.NAME_CHANGE, [], now,
                     trade_account_id)
        thread._post(Author.CONTACT, author_user_id, clean_body(body, errors), None, now)
        errors.raise_if_any()
        return thread

    def close(self, body: str, now: datetime) -> None:
        """The request was done: the portal says so, and the thread takes no more messages."""
        self._ensure_open()
        self._post(Author.SYSTEM, None, body, None, now)
        self.status = Status.CLOSED

    def _ensure_open(self) -> None:
        if self.status is Status.CLOSED:
            raise Conflict("This request was done and its thread closed; start a new message instead.")

    def reply(self, *, body: str, author: Author, author_user_id: uuid.UUID, attachment: Attachment | None,
              now: datetime) -> Message:
        """MSG-03: a reply goes to the same thread, on top of it."""
        self._ensure_open()
        errors = FieldErrors()
        body = clean_body(body, errors)
        errors.raise_if_any()
        return self._post(author, author_user_id, body, attachment, now)

    @property
    def last(self) -> Message:
        return self.messages[-1]

    def newest_first(self) -> list[Message]:
        return list(reversed(self.messages))

    def _post(self, author: Author, author_user_id: uuid.UUID | None, body: str, attachment: Attachment | None,
              now: datetime) -> Message:
        message = Message(uuid.uuid4(), len(self.messages) + 1, author, author_user_id, body, attachment, now)
        self.messages.append(message)
        self._bump()
        self.events.append(MessagePosted(
            thread_id=self.id, message_id=message.id, security_model_id=self.security_model_id,
            trade_account_id=self.trade_account_id, occurred_at=now,
            sequence=message.sequence, kind=self.kind.value, author=author.value, author_user_id=author_user_id,
            subject=self.subject, document_id=attachment.document_id if attachment else None,
            version=self.version))
        return message
