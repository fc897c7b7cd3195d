"""documents' endpoints: each parses, calls one use case, and returns."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status

from documents import use_cases
from documents.api.deps import BoundedUploadRoute, Context
from documents.api.schemas import (
    CriterionId,
    DocumentBody,
    DocumentPageBody,
    DocumentRowBody,
    DocumentTypeBody,
    DocumentTypeSlug,
    DownloadLinkBody,
    LibrariesBody,
    PartnerLibraryBody,
    PublicLibraryBody,
    RetitleRequest,
    Sort,
    StartNewFileRequest,
    StartUploadRequest,
    TagCountBody,
    TagsBody,
    TagsRequest,
    TagText,
    Title,
    UploadedForBody,
    UploadedForKind,
    UploadFormBody,
    VersionBody,
)
from documents.domain.document import Document
from documents.domain.library import DOCUMENT_TYPES, LIBRARY_NAMES, Library
from documents.repository import Listing
from portal_events.documents import UploadedFor
from servicekit.db import TransactionalRoute
from servicekit.deps import CurrentPrincipal, DbReads, DbSession
from servicekit.errors import FieldErrors
from servicekit.openapi import operation_id, problem_responses

router = APIRouter(route_class=TransactionalRoute, generate_unique_id_function=operation_id, tags=["documents"])
# Uploads through the service: their route class refuses a body over the limit before reading it.
uploads = APIRouter(route_class=BoundedUploadRoute, generate_unique_id_function=operation_id, tags=["documents"])

STORED = problem_responses(409, 413, 415)


def _document_body(document: Document, tags: list[str]) -> DocumentBody:
    return DocumentBody(
        id=document.id, library=document.library, security_model_id=document.security_model_id,
        document_type=document.document_type, title=document.current.title,
        uploaded_for=UploadedForBody.model_validate(document.uploaded_for) if document.uploaded_for else None,
        created_at=document.created_at, version=document.version, tags=tags,
        versions=[VersionBody(number=v.number, title=v.title, change=v.change.value,
                              content_type=v.file.content_type, size_bytes=v.file.size_bytes, sha256=v.file.sha256,
                              file_name=v.file.file_name, by=v.by, at=v.at) for v in document.versions])


def _incoming(file: UploadFile) -> use_cases.IncomingFile:
    return use_cases.IncomingFile(file.file, file.size or 0, file.filename, file.content_type)


def _uploaded_for(kind: str | None, criterion_id: str | None, validation_id: UUID | None,
                  item_id: UUID | None) -> UploadedFor | None:
    if kind is None:
        if criterion_id or validation_id or item_id:
            errors = FieldErrors()
            errors.add("uploaded_for_kind", "is required with criterion_id, validation_id or item_id")
            errors.raise_if_any()
        return None
    return UploadedFor(kind=kind, criterion_id=criterion_id, validation_id=validation_id, item_id=item_id)


@router.get("/document-types")
async def document_types(principal: CurrentPrincipal) -> list[DocumentTypeBody]:
    """DOC-05: the document types an upload chooses from."""
    return [DocumentTypeBody(code=code, name=name) for code, name in DOCUMENT_TYPES.items()]


@router.get("/libraries")
async def libraries(principal: CurrentPrincipal, reads: DbReads) -> LibrariesBody:
    """The libraries you reach: the public ones you may read, and a Partner Library per Security Model."""
    public, partner = await use_cases.libraries(reads, principal)
    return LibrariesBody(
        public=[PublicLibraryBody(library=lib, name=LIBRARY_NAMES[lib]) for lib in public],
        partner=[PartnerLibraryBody(security_model_id=p["model_id"], trade_account_id=p["trade_account_id"],
                                    company_name=p["company_name"], business_types=p["business_types"],
                                    as_contact=p["contact"]) for p in partner])


@router.get("/libraries/{library}/documents")
async def library_documents(
    library: Library, principal: CurrentPrincipal, reads: DbReads,
    security_model_id: Annotated[UUID | None, Query(description="The model whose Partner Library (partner only)")]
    = None,
    tag: Annotated[list[TagText] | None, Query(max_length=10, description="Your tags; a document has them all")]
    = None,
    document_type: DocumentTypeSlug | None = None,
    title: Annotated[Title | None, Query(description="Part of the title, any case")] = None,
    uploaded_for: UploadedForKind | None = None,
    criterion_id: CriterionId | None = None,
    sort: Sort = "-updated_at",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> DocumentPageBody:
    """DOC-01..DOC-03, DOC-08: a library's documents, filtered by any combination of your tags and the rest."""
    rows, total = await use_cases.library_page(reads, principal, Listing(
        library, security_model_id if library is Library.PARTNER else None, principal.user_id, sorted(set(tag or [])),
        document_type, title, uploaded_for, criterion_id, sort, limit, offset))
    return DocumentPageBody(items=[DocumentRowBody(**{**r, "uploaded_for": UploadedForBody.model_validate(
        UploadedFor.model_validate(r["uploaded_for"])) if r["uploaded_for"] else None}) for r in rows],
        total=total, limit=limit, offset=offset)


@uploads.post("/libraries/{library}/documents", status_code=status.HTTP_201_CREATED, responses=STORED)
async def upload_document(
    library: Library, principal: CurrentPrincipal, session: DbSession, ctx: Context,
    file: Annotated[UploadFile, File(description="The document; its kind is read from its bytes")],
    document_type: Annotated[DocumentTypeSlug, Form()],
    title: Annotated[Title, Form()],
    # A form has no null: an optional field is one left out (so the schema says no null either).
    security_model_id: Annotated[UUID, Form()] = None,
    uploaded_for_kind: Annotated[UploadedForKind, Form()] = None,
    criterion_id: Annotated[CriterionId, Form()] = None,
    validation_id: Annotated[UUID, Form()] = None,
    item_id: Annotated[UUID, Form()] = None,
) -> DocumentBody:
    """DOC-03..DOC-05: upload a file through the service (up to the size limit) into a library."""
    placement = use_cases.Placement(library, security_model_id, document_type, title,
                                    _uploaded_for(uploaded_for_kind, criterion_id, validation_id, item_id))
    document = await use_cases.upload(session, ctx, principal, placement, _incoming(file))
    return _document_body(document, [])


@router.post("/libraries/{library}/uploads", status_code=status.HTTP_201_CREATED, responses=STORED)
async def start_upload(
    library: Library, body: StartUploadRequest, principal: CurrentPrincipal, session: DbSession, ctx: Context,
) -> UploadFormBody:
    """A form to upload a new document's bytes straight to object storage; complete it to list the document."""
    placement = use_cases.Placement(library, body.security_model_id, body.document_type, body.title,
                                    body.uploaded_for.contract() if body.uploaded_for else None)
    started = await use_cases.start_upload(session, ctx, principal, placement, use_cases.Declared(
        body.file_name, body.content_type, body.size_bytes, body.sha256.lower()))
    return UploadFormBody(upload_id=started.upload_id, url=started.form.url, fields=started.form.fields,
                          expires_at=started.expires_at)


@router.post("/uploads/{upload_id}/complete", status_code=status.HTTP_201_CREATED, responses=STORED)
async def complete_upload(upload_id: UUID, principal: CurrentPrincipal, session: DbSession,
                          ctx: Context) -> DocumentBody:
    """Checks what landed (size, SHA-256, the kind read from its bytes), then lists it; what fails is removed."""
    document = await use_cases.complete_upload(session, ctx, principal, upload_id)
    return _document_body(document, [])


@router.get("/documents/{document_id}")
async def get_document(document_id: UUID, principal: CurrentPrincipal, reads: DbReads) -> DocumentBody:
    """A document with its archive (DOC-07) and your tags (DOC-08)."""
    view = await use_cases.document(reads, principal, document_id)
    return _document_body(view.document, view.tags)


@router.patch("/documents/{document_id}", responses=problem_responses(409))
async def retitle_document(document_id: UUID, body: RetitleRequest, principal: CurrentPrincipal,
                           session: DbSession, ctx: Context) -> DocumentBody:
    """DOC-07: change the title; the previous version stays in the archive."""
    document = await use_cases.retitle(session, ctx, principal, document_id, body.title, body.version)
    return _document_body(document, [])


@router.delete("/documents/{document_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses=problem_responses(409))
async def remove_document(
    document_id: UUID, principal: CurrentPrincipal, session: DbSession, ctx: Context,
    version: Annotated[int | None, Query(ge=1, description="The document's version you saw")] = None,
) -> Response:
    """Take a document out of its library (and out of C-TPAT's evidence); its archive is kept."""
    await use_cases.remove(session, ctx, principal, document_id, version)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@uploads.post("/documents/{document_id}/file", responses=STORED)
async def replace_document_file(
    document_id: UUID, principal: CurrentPrincipal, session: DbSession, ctx: Context,
    file: Annotated[UploadFile, File(description="The new content; its kind is read from its bytes")],
    title: Annotated[Title, Form()] = None,
    version: Annotated[int, Form(ge=1)] = None,
) -> DocumentBody:
    """DOC-07: new content through the service; the previous file stays in the archive."""
    document = await use_cases.replace_file(session, ctx, principal, document_id, _incoming(file), title, version)
    return _document_body(document, [])


@router.post("/documents/{document_id}/uploads", status_code=status.HTTP_201_CREATED, responses=STORED)
async def start_new_file(document_id: UUID, body: StartNewFileRequest, principal: CurrentPrincipal,
                         session: DbSession, ctx: Context) -> UploadFormBody:
    """DOC-07: a form to upload new content straight to object storage; complete it to make the new version."""
    started = await use_cases.start_new_file(session, ctx, principal, document_id, body.title, use_cases.Declared(
        body.file_name, body.content_type, body.size_bytes, body.sha256.lower()))
    return UploadFormBody(upload_id=started.upload_id, url=started.form.url, fields=started.form.fields,
                          expires_at=started.expires_at)


@router.get("/documents/{document_id}/download")
async def download_document(
    document_id: UUID, principal: CurrentPrincipal, reads: DbReads, ctx: Context,
    version: Annotated[int | None, Query(ge=1, le=100_000, description="A version from the archive")] = None,
) -> DownloadLinkBody:
    """DOC-06: a short-lived link to the bytes in object storage (the current version, or one from the archive)."""
    link = await use_cases.download_link(reads, ctx, principal, document_id, version)
    return DownloadLinkBody(url=link.url, expires_at=link.expires_at, version=link.version.number,
                            file_name=link.file_name, content_type=link.version.file.content_type,
                            size_bytes=link.version.file.size_bytes, sha256=link.version.file.sha256)


@router.put("/documents/{document_id}/tags")
async def tag_document(document_id: UUID, body: TagsRequest, principal: CurrentPrincipal,
                       session: DbSession) -> TagsBody:
    """DOC-08: your own tags on a document (they replace yours; nobody else sees them)."""
    return TagsBody(tags=await use_cases.set_tags(session, principal, document_id, body.tags))


@router.get("/tags")
async def my_tags(principal: CurrentPrincipal, session: DbSession) -> list[TagCountBody]:
    """DOC-08: your tags, with how many documents carry each."""
    return [TagCountBody(tag=t, documents=n) for t, n in await use_cases.my_tags(session, principal)]
