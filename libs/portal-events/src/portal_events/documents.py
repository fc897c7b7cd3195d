"""Events of the documents service, topic `documents.document.v1`, keyed by document id.

Defined before the documents service is built, because ctpat already relies on
it: evidence for a Security Profile criterion (CT-08) or a Validation Response
item (CT-15) is a document uploaded into the model's Partner Library, tagged
with where it was uploaded (DOC-04); ctpat learns of it from this event.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from portal_events.base import EventPayload

DOCUMENT_TOPIC = "documents.document.v1"


class UploadedFor(BaseModel):
    """Where in a Security Model the document was uploaded as evidence (DOC-04)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["security_profile_criterion", "validation_response_item"]
    criterion_id: str | None = Field(default=None, description='The criterion ("category.n") it is evidence for')
    validation_id: UUID | None = None
    item_id: UUID | None = Field(default=None, description="The recommendation or action required it answers")


class DocumentUploaded(EventPayload):
    """A document (or a new version of one) was stored in a library."""

    topic: ClassVar[str] = DOCUMENT_TOPIC
    aggregate_id_field: ClassVar[str] = "document_id"
    event_type: ClassVar[str] = "DocumentUploaded.v1"

    document_id: UUID
    occurred_at: datetime
    library: Literal["trade_public", "ctpat_public", "partner"]
    security_model_id: UUID | None = Field(description="The model whose Partner Library holds it; None in public ones")
    title: str
    document_type: str
    content_type: str
    size_bytes: int = Field(ge=0)
    uploaded_by: UUID
    uploaded_for: UploadedFor | None = None
    sha256: str | None = Field(default=None, description="Hex SHA-256 of the current file's bytes")
    file_version: int = Field(default=1, ge=1, description="The document's version in its archive (DOC-07)")


class DocumentRemoved(EventPayload):
    """A document was taken out of its library: it is no longer evidence of anything (its archive is kept)."""

    topic: ClassVar[str] = DOCUMENT_TOPIC
    aggregate_id_field: ClassVar[str] = "document_id"
    event_type: ClassVar[str] = "DocumentRemoved.v1"

    document_id: UUID
    occurred_at: datetime
    library: Literal["trade_public", "ctpat_public", "partner"]
    security_model_id: UUID | None = None
    removed_by: UUID
