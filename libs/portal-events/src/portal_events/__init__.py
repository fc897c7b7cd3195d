"""Public event contracts of the C-TPAT Partner Portal."""

from portal_events.base import EventPayload
from portal_events.catalogue import ALL_EVENTS, BY_TYPE
from portal_events.envelope import Envelope

__all__ = ["ALL_EVENTS", "BY_TYPE", "Envelope", "EventPayload"]
