"""Reading the libraries: which ones a user reaches, a library's page, a document and its archive, download links
(DOC-01..DOC-03, DOC-06, DOC-07, DOC-08). Reads run on servicekit.reads: one statement each, no session."""

from __future__ import annotations

import mimetypes
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from documents.domain.document import Document, Version
from documents.domain.library import (
    NO_SUCH_DOCUMENT,
    Caller,
    Library,
    ensure_library_named,
    ensure_may_read_document,
    ensure_may_read_library,
)
from documents.repository import AccessRepository, DocumentReads, DocumentRepository, Listing, TagRepository
from documents.use_cases.context import DocumentsContext
from servicekit.auth import Principal
from servicekit.errors import NotFound
from servicekit.reads import Reads


async def caller_for(session: AsyncSession, principal: Principal, model_id: uuid.UUID | None = None) -> Caller:
    return await AccessRepository(session).caller(principal.user_id, principal.roles, model_id)


async def libraries(reads: Reads, principal: Principal) -> tuple[list[Library], list[dict[str, Any]]]:
    """The public libraries this user reads, and the Partner Libraries (one per Security Model) they reach."""
    documents = DocumentReads(reads)
    caller = await documents.caller(principal.user_id, principal.roles)
    public = [lib for lib in (Library.TRADE_PUBLIC, Library.CTPAT_PUBLIC) if caller.may_read(lib, None)]
    return public, await documents.partner_libraries(principal.user_id)


async def library_page(reads: Reads, principal: Principal, listing: Listing) -> tuple[list[dict], int]:
    ensure_library_named(listing.library, listing.security_model_id)
    documents = DocumentReads(reads)
    caller = await documents.caller(principal.user_id, principal.roles, listing.security_model_id)
    ensure_may_read_library(caller, listing.library, listing.security_model_id)
    return await documents.page(listing)


async def readable(session: AsyncSession, principal: Principal, document_id: uuid.UUID,
                   *, for_update: bool = False) -> tuple[Document, Caller]:
    """The document to change, when this user may read it; otherwise it does not exist for them (404)."""
    document = await DocumentRepository(session).get(document_id, for_update=for_update)
    if document is None:
        raise NotFound(NO_SUCH_DOCUMENT)
    caller = await caller_for(session, principal, document.security_model_id)
    ensure_may_read_document(caller, document.library, document.security_model_id)
    if document.removed:
        raise NotFound(NO_SUCH_DOCUMENT)
    return document, caller


@dataclass(frozen=True)
class DocumentView:
    document: Document
    tags: list[str]


async def document(reads: Reads, principal: Principal, document_id: uuid.UUID) -> DocumentView:
    """A document with its archive and the caller's tags, when they may read it (else, for them, none: 404)."""
    found = await DocumentReads(reads).document(document_id, principal.user_id, principal.roles)
    if found is None:
        raise NotFound(NO_SUCH_DOCUMENT)
    shown, caller, tags = found
    ensure_may_read_document(caller, shown.library, shown.security_model_id)
    if shown.removed:
        raise NotFound(NO_SUCH_DOCUMENT)
    return DocumentView(shown, tags)


@dataclass(frozen=True)
class DownloadLink:
    url: str
    expires_at: datetime
    version: Version
    file_name: str


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f"\\/]+')


def file_name_of(version: Version) -> str:
    """The name a download is saved as: the uploaded name, else the title with the extension of its type."""
    name = version.file.file_name or version.title
    name = _UNSAFE_NAME.sub("_", name).strip() or "document"
    extension = mimetypes.guess_extension(version.file.content_type) or ""
    if extension and not name.lower().endswith(extension):
        name += extension
    return name[:200]


async def download_link(reads: Reads, ctx: DocumentsContext, principal: Principal, document_id: uuid.UUID,
                        version_number: int | None) -> DownloadLink:
    """DOC-06: a short-lived link straight to the bytes; never issued for a document the user may not read."""
    found = (await document(reads, principal, document_id)).document
    version = found.current if version_number is None else found.version_numbered(version_number)
    if version is None:
        raise NotFound(f"Document {document_id} has no version {version_number}.")
    name = file_name_of(version)
    url = ctx.store.download_link(version.file.object_key, expires=ctx.download_link_lifetime,
                                  content_type=version.file.content_type, file_name=name)
    return DownloadLink(url, ctx.clock.now() + ctx.download_link_lifetime, version, name)


async def my_tags(session: AsyncSession, principal: Principal) -> list[tuple[str, int]]:
    return await TagRepository(session).counts(principal.user_id)
