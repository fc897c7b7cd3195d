"""Events of the svi service, topic `svi.monitoring.v1`, keyed by monitoring request id.

A monitored partner asks another to monitor its C-TPAT status; the monitoring
partner accepts, declines or revokes; a decline (or revocation) blocks further
requests until the block is removed; a request ends when either side leaves SVI.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from portal_events.base import EventPayload

MONITORING_TOPIC = "svi.monitoring.v1"


class _MonitoringEvent(EventPayload):
    topic: ClassVar[str] = MONITORING_TOPIC
    aggregate_id_field: ClassVar[str] = "request_id"

    request_id: UUID
    monitored_security_model_id: UUID
    monitoring_security_model_id: UUID
    occurred_at: datetime


class MonitoringRequested(_MonitoringEvent):
    """A partner asked another to monitor its C-TPAT status (SV-03, SV-05)."""

    event_type: ClassVar[str] = "MonitoringRequested.v1"

    requested_by: UUID


class _Decided(_MonitoringEvent):
    decided_by: UUID | None


class MonitoringAccepted(_Decided):
    """The monitoring partner accepted: it now sees the requester's status (SV-07, SV-08)."""

    event_type: ClassVar[str] = "MonitoringAccepted.v1"


class MonitoringDeclined(_Decided):
    """The monitoring partner declined: the requester is blocked from asking again (SV-07, SV-09)."""

    event_type: ClassVar[str] = "MonitoringDeclined.v1"


class MonitoringRevoked(_Decided):
    """The monitoring partner declined after accepting (SV-07); it blocks like a decline."""

    event_type: ClassVar[str] = "MonitoringRevoked.v1"


class MonitoringEnded(_Decided):
    """A side left SVI (its SVI agreement revoked, SV-02): the request is on no list any more."""

    event_type: ClassVar[str] = "MonitoringEnded.v1"

    reason: str


class BlockRemoved(_Decided):
    """The monitoring partner removed the block: the requester may ask again (SV-09)."""

    event_type: ClassVar[str] = "BlockRemoved.v1"
