"""Events of the messaging service, topic `messaging.thread.v1`, keyed by thread id."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from portal_events.base import EventPayload

THREAD_TOPIC = "messaging.thread.v1"


class MessagePosted(EventPayload):
    """A message was posted: a thread started, a reply, or a message the portal itself sent (MSG-05).

    Carries no body: a subscriber learns that the Security Model's correspondence moved, and who wrote, not what
    was written (the portal shows that to the model's contacts and its SCSS only, MSG-01).
    """

    topic: ClassVar[str] = THREAD_TOPIC
    aggregate_id_field: ClassVar[str] = "thread_id"
    event_type: ClassVar[str] = "MessagePosted.v1"

    thread_id: UUID
    message_id: UUID
    security_model_id: UUID
    occurred_at: datetime
    sequence: int = Field(ge=1, description="The message's place in its thread, 1 for the one that started it")
    kind: Literal["conversation", "system"]
    author: Literal["contact", "scss", "system"]
    author_user_id: UUID | None = Field(description="None for a message the portal sent")
    subject: str
    document_id: UUID | None = Field(default=None, description="A Partner Library document attached to it")
