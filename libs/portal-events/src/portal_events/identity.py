"""Events of the identity service, topic `identity.user.v1`, keyed by user id."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import EmailStr, Field

from portal_events.base import EventPayload

USER_TOPIC = "identity.user.v1"

UserKind = Literal["trade", "cbp"]


class _UserEvent(EventPayload):
    topic: ClassVar[str] = USER_TOPIC
    aggregate_id_field: ClassVar[str] = "user_id"

    user_id: UUID
    occurred_at: datetime


class UserRegistered(_UserEvent):
    """A person registered (trade user) or was created by an admin (CBP staff)."""

    event_type: ClassVar[str] = "UserRegistered.v1"

    email: EmailStr
    kind: UserKind
    staff_roles: list[Literal["scss", "management", "admin"]] = Field(default_factory=list)


class UserProfileUpdated(_UserEvent):
    """The user's profile (salutation, names, title, phone) was completed or changed."""

    event_type: ClassVar[str] = "UserProfileUpdated.v1"

    salutation: str
    first_name: str
    last_name: str
    title: str
    phone: str


class UserEmailChanged(_UserEvent):
    """The user changed the email that is also the user name."""

    event_type: ClassVar[str] = "UserEmailChanged.v1"

    old_email: EmailStr
    new_email: EmailStr
