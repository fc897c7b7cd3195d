"""A document in a library, with every version it has had (DOC-04, DOC-05, DOC-07).

A document is uploaded into one library with a title and a document type; in a Partner Library it belongs to a
Security Model (DOC-05) and, when uploaded while answering a Security Profile criterion or a Validation
Response item, it says where (DOC-04). Changing its title or its file makes a new version; the previous ones
stay in the archive, listed and downloadable (DOC-07). Removing it takes it out of its library (and out of
ctpat's evidence) but keeps its archive: an audit may ask what was once shown.

The bytes live in object storage under a key that is never reused; a version names its key, size, checksum and
the content type read from its bytes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from documents.domain.library import DOCUMENT_TYPES, PARTNER_LIBRARY_UNNAMED, Library, partner_library_unnamed
from portal_events.documents import DocumentRemoved, DocumentUploaded, UploadedFor
from servicekit.aggregate import RecordsEvents
from servicekit.errors import Conflict, FieldErrors

TITLE_MAX = 200


class Change(StrEnum):
    UPLOADED = "uploaded"
    TITLE = "title"  # the title changed, the file did not
    FILE = "file"  # a new file (and perhaps a new title)


@dataclass(frozen=True)
class StoredFile:
    """Bytes that landed in object storage and passed the checks: size, type read from them, checksum."""

    object_key: str
    content_type: str
    size_bytes: int
    sha256: str  # hex
    file_name: str | None = None


@dataclass(frozen=True)
class Version:
    number: int
    title: str
    file: StoredFile
    change: Change
    by: uuid.UUID
    at: datetime


def clean_title(title: str, errors: FieldErrors, field_name: str = "title") -> str:
    """A title is shown in lists and PDFs: 1-200 characters, no control characters, spaces trimmed."""
    cleaned = " ".join(title.split()) if isinstance(title, str) else ""
    if not cleaned:
        errors.add(field_name, "is required")
    elif len(cleaned) > TITLE_MAX:
        errors.add(field_name, f"is longer than {TITLE_MAX} characters")
    elif any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned):
        errors.add(field_name, "contains control characters")
    return cleaned


def check_placement(library: Library, model_id: uuid.UUID | None, document_type: str,
                    uploaded_for: UploadedFor | None, errors: FieldErrors) -> None:
    """DOC-04, DOC-05: a Partner Library document names its model; only one may say where it was uploaded."""
    if document_type not in DOCUMENT_TYPES:
        errors.add("document_type", "is not a document type (GET /document-types lists them)")
    if partner_library_unnamed(library, model_id):
        errors.add("security_model_id", PARTNER_LIBRARY_UNNAMED)
    if library is not Library.PARTNER and model_id is not None:
        errors.add("security_model_id", "is only for the C-TPAT Partner Library")
    if uploaded_for is None:
        return
    if library is not Library.PARTNER:
        errors.add("uploaded_for", "is only for the C-TPAT Partner Library")
    elif uploaded_for.kind == "security_profile_criterion":
        if not uploaded_for.criterion_id:
            errors.add("uploaded_for.criterion_id", "is required for a Security Profile criterion")
        if uploaded_for.validation_id or uploaded_for.item_id:
            errors.add("uploaded_for", "a Security Profile criterion has no validation or item")
    elif not (uploaded_for.validation_id and uploaded_for.item_id):
        errors.add("uploaded_for.item_id", "a Validation Response item needs validation_id and item_id")


@dataclass
class Document(RecordsEvents):
    id: uuid.UUID
    library: Library
    security_model_id: uuid.UUID | None
    document_type: str
    uploaded_for: UploadedFor | None
    versions: list[Version]
    created_at: datetime
    removed_at: datetime | None = None
    removed_by: uuid.UUID | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list)

    @classmethod
    def upload(cls, *, document_id: uuid.UUID, library: Library, security_model_id: uuid.UUID | None,
               document_type: str, uploaded_for: UploadedFor | None, title: str, file: StoredFile,
               by: uuid.UUID, now: datetime) -> Document:
        errors = FieldErrors()
        title = clean_title(title, errors)
        check_placement(library, security_model_id, document_type, uploaded_for, errors)
        errors.raise_if_any()
        document = cls(document_id, library, security_model_id, document_type, uploaded_for,
                       [Version(1, title, file, Change.UPLOADED, by, now)], now)
        document._stored(by, now)
        return document

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def removed(self) -> bool:
        return self.removed_at is not None

    def retitle(self, title: str, by: uuid.UUID, now: datetime) -> bool:
        """DOC-07: a new title is a new version; the old one stays in the archive. The same title changes nothing."""
        self._ensure_listed()
        errors = FieldErrors()
        title = clean_title(title, errors)
        errors.raise_if_any()
        if title == self.current.title:
            return False
        self.versions.append(Version(len(self.versions) + 1, title, self.current.file, Change.TITLE, by, now))
        self._stored(by, now)
        return True

    def replace_file(self, file: StoredFile, by: uuid.UUID, now: datetime, title: str | None = None) -> None:
        """DOC-07: new content is a new version; the previous file stays downloadable from the archive."""
        self._ensure_listed()
        errors = FieldErrors()
        new_title = clean_title(title, errors) if title is not None else self.current.title
        errors.raise_if_any()
        self.versions.append(Version(len(self.versions) + 1, new_title, file, Change.FILE, by, now))
        self._stored(by, now)

    def remove(self, by: uuid.UUID, now: datetime) -> None:
        self._ensure_listed()
        self.removed_at, self.removed_by = now, by
        self._bump()
        self.events.append(DocumentRemoved(
            document_id=self.id, occurred_at=now, library=self.library.value,
            security_model_id=self.security_model_id, removed_by=by, version=self.version))

    def version_numbered(self, number: int) -> Version | None:
        return self.versions[number - 1] if 1 <= number <= len(self.versions) else None

    def _ensure_listed(self) -> None:
        if self.removed:
            raise Conflict("The document was removed from its library; its archive is kept but not changed.")

    def _stored(self, by: uuid.UUID, now: datetime) -> None:
        self._bump()
        current = self.current
        self.events.append(DocumentUploaded(
            document_id=self.id, occurred_at=now, library=self.library.value,
            security_model_id=self.security_model_id, title=current.title, document_type=self.document_type,
            content_type=current.file.content_type, size_bytes=current.file.size_bytes, uploaded_by=by,
            uploaded_for=self.uploaded_for, sha256=current.file.sha256, file_version=current.number,
            version=self.version))
