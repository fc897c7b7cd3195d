"""Events of the messaging service, topic `messaging.thread.v1`, keyed by thread id."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from portal_events.base import EventPayload

THREAD_TOPIC = "messaging.thread.v1"


class MessagePosted(EventPayload):
    """A message was posted: a thread started, a reply, or a message the portal itself sent (MSG-05); or a Trade
    Account's administrator asked CBP to change the company name (kind name_change).

    Carries no body: a subscriber learns that the Security Model's correspondence moved, and who wrote, not what
    was written (the portal shows that to the model's contacts and its SCSS only, MSG-01).
    """

    topic: ClassVar[str] = THREAD_TOPIC
    aggregate_id_field: ClassVar[str] = "thread_id"
    event_type: ClassVar[str] = "MessagePosted.v1"

    thread_id: UUID
    message_id: UUID
    security_model_id: UUID | None = Field(description="None for a Trade Account's request to CBP (kind name_change)")
    trade_account_id: UUID | None = Field(default=None, description="The Trade Account a name_change thread is for")
    occurred_at: datetime
    sequence: int = Field(ge=1, description="The message's place in its thread, 1 for the one that started it")
    kind: Literal["conversation", "system", "name_change"]
    author: Literal["contact", "scss", "management", "system"]
    author_user_id: UUID | None = Field(description="None for a message the portal sent")
    subject: str
    document_id: UUID | None = Field(default=None, description="A Partner Library document attached to it")
