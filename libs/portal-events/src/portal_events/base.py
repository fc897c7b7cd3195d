"""What every public event payload has in common."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field


class EventPayload(BaseModel):
    """A versioned, past-tense public event.

    `event_type` is the wire name (`UserEmailChanged.v1`); `topic` is the
    aggregate's topic. Every payload carries the aggregate id it is keyed by
    and the aggregate's version, so consumers can ignore stale events.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    topic: ClassVar[str]
    aggregate_id_field: ClassVar[str]

    version: int = Field(ge=1, description="The aggregate's version after this change.")

    @property
    def aggregate_id(self) -> str:
        return str(getattr(self, self.aggregate_id_field))
