"""Events of the ctpat service, topic `ctpat.security-model.v1`, keyed by Security Model id.

Only the events other services already depend on are defined here; ctpat adds
the rest of its catalogue when it is built.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from portal_events.base import EventPayload

SECURITY_MODEL_TOPIC = "ctpat.security-model.v1"


class _SecurityModelEvent(EventPayload):
    topic: ClassVar[str] = SECURITY_MODEL_TOPIC
    aggregate_id_field: ClassVar[str] = "security_model_id"

    security_model_id: UUID
    occurred_at: datetime


class SecurityModelCreated(_SecurityModelEvent):
    """A C-TPAT Security Model was started under a Trade Account."""

    event_type: ClassVar[str] = "SecurityModelCreated.v1"

    trade_account_id: UUID
    business_types: list[str]


class SecurityModelMoved(_SecurityModelEvent):
    """A Security Model now belongs to another Trade Account (after a split or merge)."""

    event_type: ClassVar[str] = "SecurityModelMoved.v1"

    from_trade_account_id: UUID
    to_trade_account_id: UUID


class ScssAssigned(_SecurityModelEvent):
    """Management assigned (or reassigned) the Security Model's Supply Chain Security Specialist."""

    event_type: ClassVar[str] = "ScssAssigned.v1"

    trade_account_id: UUID
    scss_user_id: UUID
