"""documents' HTTP bodies, in servicekit's vocabulary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from documents.domain.content import MAX_UPLOAD_BYTES
from documents.domain.document import TITLE_MAX
from documents.domain.library import DOCUMENT_TYPES, Library
from documents.domain.tags import TAG_MAX, TAGS_PER_DOCUMENT
from documents.repository import SORTS
from portal_events.documents import UploadedFor
from servicekit.schema_types import DomainView, Strict, text

# Shown in lists and PDFs: no control characters (tab and newline included; the domain folds spaces).
_PRINTABLE = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
Title = text(TITLE_MAX, pattern=_PRINTABLE, message="contains control characters")
TagText = text(TAG_MAX, pattern=_PRINTABLE, message="contains control characters")
DocumentTypeSlug = Literal[tuple(DOCUMENT_TYPES)]  # type: ignore[valid-type]  # GET /document-types names them
Sha256Hex = text(64, min_length=64, pattern=r"^[0-9a-fA-F]{64}$", message="must be 64 hexadecimal digits")
FileName = text(255)
ContentTypeText = text(100, pattern=r"^[!-~]+/[!-~]+$", message="is not a content type")
Sort = Literal[SORTS]  # type: ignore[valid-type]
UploadedForKind = Literal["security_profile_criterion", "validation_response_item"]
CriterionId = text(10, pattern=r"^[0-9]{1,3}\.[0-9]{1,3}$", message='is a criterion id like "4.2"')


class DocumentTypeBody(Strict):
    code: str
    name: str


class PublicLibraryBody(Strict):
    library: Library
    name: str


class PartnerLibraryBody(Strict):
    security_model_id: UUID
    trade_account_id: UUID
    company_name: str
    business_types: list[str]
    as_contact: bool = Field(description="A contact of the model (else its SCSS)")


class LibrariesBody(Strict):
    public: list[PublicLibraryBody]
    partner: list[PartnerLibraryBody]


class UploadedForRequest(Strict):
    kind: UploadedForKind
    criterion_id: CriterionId | None = None
    validation_id: UUID | None = None
    item_id: UUID | None = None

    def contract(self) -> UploadedFor:
        return UploadedFor(kind=self.kind, criterion_id=self.criterion_id, validation_id=self.validation_id,
                           item_id=self.item_id)


class FileDeclaration(Strict):
    """What will be uploaded straight to storage; the store refuses other bytes (size, SHA-256)."""

    file_name: FileName | None = None
    content_type: ContentTypeText | None = None
    size_bytes: Annotated[int, Field(ge=1, le=MAX_UPLOAD_BYTES)]
    sha256: Sha256Hex


class StartUploadRequest(FileDeclaration):
    """A new document in a library, uploaded straight to storage (DOC-04, DOC-05)."""

    security_model_id: UUID | None = None
    document_type: DocumentTypeSlug
    title: Title
    uploaded_for: UploadedForRequest | None = None


class StartNewFileRequest(FileDeclaration):
    """A new file for a document (DOC-07); its title stays unless a new one is given."""

    title: Title | None = None


class UploadFormBody(Strict):
    upload_id: UUID
    url: str = Field(description="POST the form here: every field below, then the file as `file`, last")
    fields: dict[str, str]
    expires_at: datetime


class RetitleRequest(Strict):
    title: Title
    version: Annotated[int, Field(ge=1)] | None = Field(None, description="The document's version you saw")


class TagsRequest(Strict):
    tags: Annotated[list[TagText], Field(max_length=TAGS_PER_DOCUMENT)]


class TagsBody(Strict):
    tags: list[str]


class TagCountBody(Strict):
    tag: str
    documents: int


class UploadedForBody(DomainView):
    kind: str
    criterion_id: str | None
    validation_id: UUID | None
    item_id: UUID | None


class DocumentRowBody(Strict):
    id: UUID
    library: Library
    security_model_id: UUID | None
    document_type: str
    title: str
    content_type: str
    size_bytes: int
    file_version: int
    uploaded_for: UploadedForBody | None
    created_at: datetime
    updated_at: datetime
    tags: list[str] = Field(description="Your own tags (DOC-08)")


class DocumentPageBody(Strict):
    items: list[DocumentRowBody]
    total: int
    limit: int
    offset: int


class VersionBody(Strict):
    number: int
    title: str
    change: str
    content_type: str
    size_bytes: int
    sha256: str
    file_name: str | None
    by: UUID
    at: datetime


class DocumentBody(Strict):
    id: UUID
    library: Library
    security_model_id: UUID | None
    document_type: str
    title: str
    uploaded_for: UploadedForBody | None
    created_at: datetime
    version: int = Field(description="Send it back to change the document only if nobody else did meanwhile")
    versions: list[VersionBody] = Field(description="The archive, oldest first; the last is current (DOC-07)")
    tags: list[str] = Field(description="Your own tags (DOC-08)")


class DownloadLinkBody(Strict):
    url: str = Field(description="GET it within its lifetime; the bytes come straight from object storage")
    expires_at: datetime
    version: int
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
