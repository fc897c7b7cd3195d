"""Changing the libraries: uploads through the service or straight to storage, new versions, titles, removal,
and each user's tags (DOC-03..DOC-05, DOC-07, DOC-08)."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession

from documents.domain import content
from documents.domain.document import Document, StoredFile, check_placement, clean_title
from documents.domain.library import Library, ensure_library_named, ensure_may_write
from documents.domain.tags import clean_tags
from documents.repository import DocumentRepository, PendingUpload, PendingUploads, TagRepository
from documents.storage import ObjectFacts, UploadForm
from documents.use_cases.context import DocumentsContext
from documents.use_cases.libraries import caller_for, readable
from portal_events.documents import UploadedFor
from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, FieldErrors, NotFound, ValidationFailed
from servicekit.store import StaleAggregate

NO_SUCH_UPLOAD = "No such upload."


@dataclass(frozen=True)
class Placement:
    """Where an upload goes and what it is (DOC-04, DOC-05)."""

    library: Library
    security_model_id: uuid.UUID | None
    document_type: str
    title: str
    uploaded_for: UploadedFor | None = None


@dataclass(frozen=True)
class IncomingFile:
    """A file received through the service: a spooled file, its size and what the client said it is."""

    data: BinaryIO
    size: int
    file_name: str | None
    declared_content_type: str | None


def _object_key() -> str:
    # Never reused, and says nothing about the document: whoever sees a key learns nothing.
    return f"documents/{uuid.uuid4()}"


async def _check_placement(session: AsyncSession, principal: Principal, placement: Placement) -> str:
    """Authorization first (a stranger learns nothing from a 422), then every field; returns the clean title.
    Which library is meant must be said before anyone can be asked about it."""
    ensure_library_named(placement.library, placement.security_model_id)
    caller = await caller_for(session, principal, placement.security_model_id)
    ensure_may_write(caller, placement.library, placement.security_model_id)
    errors = FieldErrors()
    title = clean_title(placement.title, errors)
    check_placement(placement.library, placement.security_model_id, placement.document_type,
                    placement.uploaded_for, errors)
    errors.raise_if_any()
    return title


def _read_and_hash(data: BinaryIO) -> tuple[bytes, str]:
    data.seek(0)
    head = data.read(content.SNIFF_BYTES)
    digest = hashlib.sha256(head)
    for chunk in iter(lambda: data.read(1 << 20), b""):
        digest.update(chunk)
    data.seek(0)
    return head, digest.hexdigest()


async def _store_incoming(ctx: DocumentsContext, incoming: IncomingFile) -> StoredFile:
    """DOC-05: size, then the type read from the bytes, then the checksum; only then do the bytes reach storage."""
    content.ensure_size(incoming.size, ctx.max_upload_bytes)
    head, sha256 = await asyncio.to_thread(_read_and_hash, incoming.data)
    content_type = content.sniff(head, incoming.declared_content_type)
    key = _object_key()
    await ctx.store.put(key, incoming.data, incoming.size, content_type, sha256)
    return StoredFile(key, content_type, incoming.size, sha256, _file_name(incoming.file_name))


def _file_name(name: str | None) -> str | None:
    if not name:
        return None
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ord(ch) >= 32 and ord(ch) != 127).strip()
    return name[:255] or None


async def upload(session: AsyncSession, ctx: DocumentsContext, principal: Principal, placement: Placement,
                 incoming: IncomingFile) -> Document:
    """DOC-03..DOC-05: a file sent through the service lands in its library, checked, as version 1."""
    title = await _check_placement(session, principal, placement)
    stored = await _store_incoming(ctx, incoming)
    document = Document.upload(
        document_id=uuid.uuid4(), library=placement.library, security_model_id=placement.security_model_id,
        document_type=placement.document_type, uploaded_for=placement.uploaded_for, title=title, file=stored,
        by=principal.user_id, now=ctx.clock.now())
    await _added_or_removed(ctx, stored, DocumentRepository(session).add(document))
    return document


async def _added_or_removed(ctx: DocumentsContext, stored: StoredFile, saving) -> None:
    """Bytes whose document could not be saved are removed: storage never keeps what no version names."""
    try:
        await saving
    except BaseException:
        await ctx.store.remove(stored.object_key)
        raise


async def _writable(session: AsyncSession, principal: Principal, document_id: uuid.UUID,
                    expected_version: int | None) -> Document:
    document, caller = await readable(session, principal, document_id, for_update=True)
    ensure_may_write(caller, document.library, document.security_model_id)
    if expected_version is not None and expected_version != document.version:
        raise StaleAggregate(f"The document is at version {document.version}, not {expected_version}; reload it.")
    return document


async def replace_file(session: AsyncSession, ctx: DocumentsContext, principal: Principal,
                       document_id: uuid.UUID, incoming: IncomingFile, title: str | None,
                       expected_version: int | None) -> Document:
    """DOC-07: new content is a new version; the previous file stays in the archive."""
    document = await _writable(session, principal, document_id, expected_version)
    if title is not None:
        errors = FieldErrors()
        clean_title(title, errors)
        errors.raise_if_any()
    stored = await _store_incoming(ctx, incoming)
    document.replace_file(stored, principal.user_id, ctx.clock.now(), title)
    await _added_or_removed(ctx, stored, DocumentRepository(session).save(document))
    return document


async def retitle(session: AsyncSession, ctx: DocumentsContext, principal: Principal, document_id: uuid.UUID,
                  title: str, expected_version: int | None) -> Document:
    """DOC-07: "Save Changes" on a title: the document's name changes, the old version goes to the archive."""
    document = await _writable(session, principal, document_id, expected_version)
    if document.retitle(title, principal.user_id, ctx.clock.now()):
        await DocumentRepository(session).save(document)
    return document


async def remove(session: AsyncSession, ctx: DocumentsContext, principal: Principal, document_id: uuid.UUID,
                 expected_version: int | None) -> None:
    document = await _writable(session, principal, document_id, expected_version)
    document.remove(principal.user_id, ctx.clock.now())
    await DocumentRepository(session).save(document)
    await TagRepository(session).forget_document(document_id)


async def set_tags(session: AsyncSession, principal: Principal, document_id: uuid.UUID,
                   tags: list[str]) -> list[str]:
    """DOC-08: the caller's own tags on a document they may read (replacing theirs; nobody else's are touched)."""
    document, _ = await readable(session, principal, document_id)
    errors = FieldErrors()
    cleaned = clean_tags(tags, errors)
    errors.raise_if_any()
    repository = TagRepository(session)
    spellings = await repository.spellings(principal.user_id)
    kept = sorted({spellings.get(t.casefold(), t) for t in cleaned}, key=str.casefold)
    await repository.replace(principal.user_id, document, kept)
    return kept


# --- straight to storage: a presigned form, then the service checks what landed -------------------------------

@dataclass(frozen=True)
class Declared:
    """What the client says it will upload; the store holds it to size and checksum, the service to the rest."""

    file_name: str | None
    content_type: str | None
    size_bytes: int
    sha256: str  # hex


@dataclass(frozen=True)
class StartedUpload:
    upload_id: uuid.UUID
    form: UploadForm
    expires_at: datetime


async def _start(session: AsyncSession, ctx: DocumentsContext, principal: Principal, declared: Declared,
                 document_id: uuid.UUID | None, placement: Placement) -> StartedUpload:
    content.ensure_size(declared.size_bytes, ctx.max_upload_bytes)
    upload_id, key = uuid.uuid4(), _object_key()
    expires_at = ctx.clock.now() + ctx.upload_form_lifetime
    await PendingUploads(session).add(PendingUpload(
        id=upload_id, object_key=key, document_id=document_id, library=placement.library,
        security_model_id=placement.security_model_id, document_type=placement.document_type,
        uploaded_for=placement.uploaded_for, title=placement.title, file_name=_file_name(declared.file_name),
        declared_content_type=declared.content_type, size_bytes=declared.size_bytes, sha256=declared.sha256,
        created_by=principal.user_id, expires_at=expires_at))
    form = ctx.store.upload_form(key, size=declared.size_bytes, sha256_hex=declared.sha256, expires_at=expires_at)
    return StartedUpload(upload_id, form, expires_at)


async def start_upload(session: AsyncSession, ctx: DocumentsContext, principal: Principal, placement: Placement,
                       declared: Declared) -> StartedUpload:
    """A form to upload a new document's bytes straight to storage; nothing is listed until it is completed."""
    title = await _check_placement(session, principal, placement)
    placement = Placement(placement.library, placement.security_model_id, placement.document_type, title,
                          placement.uploaded_for)
    return await _start(session, ctx, principal, declared, None, placement)


async def start_new_file(session: AsyncSession, ctx: DocumentsContext, principal: Principal,
                         document_id: uuid.UUID, title: str | None, declared: Declared) -> StartedUpload:
    document = await _writable(session, principal, document_id, None)
    errors = FieldErrors()
    new_title = clean_title(title, errors) if title is not None else document.current.title
    errors.raise_if_any()
    placement = Placement(document.library, document.security_model_id, document.document_type, new_title,
                          document.uploaded_for)
    return await _start(session, ctx, principal, declared, document_id, placement)


async def complete_upload(session: AsyncSession, ctx: DocumentsContext, principal: Principal,
                          upload_id: uuid.UUID) -> Document:
    """Lists what landed only after checking it: the size and SHA-256 promised (the store verified the bytes
    against them, or the service hashes them here), and the type read from the first bytes. What fails is removed
    from storage at once; the upload can then only expire."""
    taken = await PendingUploads(session).take(upload_id, principal.user_id, principal.roles)
    if taken is None or taken[0].created_by != principal.user_id:
        raise NotFound(NO_SUCH_UPLOAD)
    pending, caller = taken
    if pending.expires_at < ctx.clock.now():
        raise Conflict("The upload form has expired; start the upload again.")
    facts = await ctx.store.landed(pending.object_key, content.SNIFF_BYTES)
    if facts is None:
        raise Conflict("Nothing has been uploaded with this form yet; post the file to the form's URL first.")
    try:
        stored = await _checked(ctx, pending, facts)
    except (ValidationFailed, content.UnsupportedContent, content.TooLarge):
        await ctx.store.remove(pending.object_key)
        raise
    now = ctx.clock.now()
    if pending.document_id is None:
        # The upload is the caller's own; whether they still may write there is asked again now (a contact
        # removed since it started writes no more).
        ensure_may_write(caller, pending.library, pending.security_model_id)
        document = Document.upload(
            document_id=uuid.uuid4(), library=pending.library, security_model_id=pending.security_model_id,
            document_type=pending.document_type, uploaded_for=pending.uploaded_for, title=pending.title,
            file=stored, by=principal.user_id, now=now)
        await DocumentRepository(session).add(document)
    else:
        document = await _writable(session, principal, pending.document_id, None)
        document.replace_file(stored, principal.user_id, now, pending.title)
        await DocumentRepository(session).save(document)
    return document


async def _checked(ctx: DocumentsContext, pending: PendingUpload, facts: ObjectFacts) -> StoredFile:
    if facts.size != pending.size_bytes:
        raise ValidationFailed.of([FieldError("size_bytes", f"{facts.size:,} bytes landed, not the "
                                                            f"{pending.size_bytes:,} declared")])
    content.ensure_size(facts.size, ctx.max_upload_bytes)
    sha256 = facts.sha256 or await ctx.store.sha256_of(pending.object_key)
    if sha256 != pending.sha256:
        raise ValidationFailed.of([FieldError("sha256", "the bytes that landed have another SHA-256")])
    content_type = content.sniff(facts.head, pending.declared_content_type)
    return StoredFile(pending.object_key, content_type, facts.size, sha256, pending.file_name)


async def sweep_expired_uploads(database, ctx: DocumentsContext, *, batch: int = 100) -> int:
    """The worker's housekeeping: uploads started and never completed are removed, bytes and all."""
    async with database.transaction() as session:
        uploads = PendingUploads(session)
        expired = await uploads.expired(ctx.clock.now(), batch)
        for upload_id, key in expired:
            await ctx.store.remove(key)
            await uploads.forget(upload_id)
    return len(expired)
