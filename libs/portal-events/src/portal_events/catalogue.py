"""Every public event, by wire name: the one list the schema files and AsyncAPI are made from."""

from __future__ import annotations

from portal_events.base import EventPayload
from portal_events.identity import UserEmailChanged, UserProfileUpdated, UserRegistered

ALL_EVENTS: tuple[type[EventPayload], ...] = (
    UserRegistered,
    UserProfileUpdated,
    UserEmailChanged,
)

BY_TYPE: dict[str, type[EventPayload]] = {event.event_type: event for event in ALL_EVENTS}

TOPICS: tuple[str, ...] = tuple(sorted({event.topic for event in ALL_EVENTS}))
