"""All of documents' SQL. Repositories flush; the edge commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from documents import tables
from documents.domain.document import Change, Document, StoredFile, Version
from documents.domain.library import Caller, Library
from portal_events.documents import UploadedFor
from servicekit.store import AggregateRepository

M, C, SM, MC = tables.members, tables.companies, tables.security_models, tables.model_contacts
D, V, P, T = tables.documents, tables.document_versions, tables.pending_uploads, tables.document_tags


def _active_memberships_of(user_id: uuid.UUID):
    return select(M.c.member_id).where(M.c.user_id == user_id, M.c.status == "active")


class AccessRepository:
    """Who the caller is to the libraries, from the read models (DOC-01..DOC-03)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def caller(self, user_id: uuid.UUID, roles: frozenset[str],
                     model_ids: list[uuid.UUID] | tuple[()] = ()) -> Caller:
        memberships = _active_memberships_of(user_id)
        facts = select(
            exists(memberships).label("trade_user"),
            exists(select(MC.c.model_id).where(MC.c.member_id.in_(memberships))).label("contact_anywhere"),
        )
        row = (await self.session.execute(facts)).one()
        contact_of: set[uuid.UUID] = set()
        scss_of: set[uuid.UUID] = set()
        if model_ids:
            contact_of = set((await self.session.scalars(
                select(MC.c.model_id).where(MC.c.model_id.in_(model_ids), MC.c.member_id.in_(memberships)))).all())
            scss_of = set((await self.session.scalars(
                select(SM.c.model_id).where(SM.c.model_id.in_(model_ids), SM.c.scss_user_id == user_id))).all())
        return Caller(user_id, roles, row.trade_user, row.contact_anywhere, frozenset(contact_of),
                      frozenset(scss_of))

    async def partner_libraries(self, user_id: uuid.UUID) -> list[dict[str, Any]]:
        """The Security Models whose Partner Library this user reaches: as a contact, or as their SCSS."""
        memberships = _active_memberships_of(user_id)
        as_contact = select(MC.c.model_id).where(MC.c.member_id.in_(memberships))
        rows = await self.session.execute(
            select(SM.c.model_id, SM.c.trade_account_id, SM.c.business_types,
                   func.coalesce(C.c.company_name, "").label("company_name"),
                   SM.c.model_id.in_(as_contact).label("contact"))
            .select_from(SM.outerjoin(C, C.c.trade_account_id == SM.c.trade_account_id))
            .where((SM.c.model_id.in_(as_contact)) | (SM.c.scss_user_id == user_id))
            .order_by(func.coalesce(C.c.company_name, ""), SM.c.model_id))
        return [dict(r._mapping) for r in rows]


class ReadModels:
    """What trade-accounts' and ctpat's events say about accounts, users and models."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def member(self, member_id: uuid.UUID, trade_account_id: uuid.UUID, user_id: uuid.UUID | None,
                     status: str) -> None:
        values = {"trade_account_id": trade_account_id, "user_id": user_id, "status": status}
        await self.session.execute(pg_insert(M).values(member_id=member_id, **values)
                                   .on_conflict_do_update(index_elements=["member_id"], set_=values))

    async def member_removed(self, member_id: uuid.UUID) -> None:
        await self.session.execute(delete(M).where(M.c.member_id == member_id))

    async def company_named(self, trade_account_id: uuid.UUID, name: str) -> None:
        await self.session.execute(pg_insert(C).values(trade_account_id=trade_account_id, company_name=name)
                                   .on_conflict_do_update(index_elements=["trade_account_id"],
                                                          set_={"company_name": name}))

    async def model(self, model_id: uuid.UUID, trade_account_id: uuid.UUID, **values: Any) -> None:
        await self.session.execute(
            pg_insert(SM).values(model_id=model_id, trade_account_id=trade_account_id, **values)
            .on_conflict_do_update(index_elements=["model_id"], set_={"trade_account_id": trade_account_id, **values}))

    async def contacts(self, model_id: uuid.UUID, member_ids: list[uuid.UUID]) -> None:
        await self.session.execute(delete(MC).where(MC.c.model_id == model_id))
        if member_ids:
            await self.session.execute(insert(MC), [{"model_id": model_id, "member_id": m} for m in set(member_ids)])


def _version(row: Any) -> Version:
    return Version(row.number, row.title, StoredFile(row.object_key, row.content_type, row.size_bytes, row.sha256,
                                                     row.file_name),
                   Change(row.change), row.created_by, row.created_at)


class DocumentRepository(AggregateRepository[Document]):
    root = D

    async def get(self, document_id: uuid.UUID, *, for_update: bool = False) -> Document | None:
        query = select(D).where(D.c.id == document_id)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        if row is None:
            return None
        versions = [_version(v) for v in await self.session.execute(
            select(V).where(V.c.document_id == document_id).order_by(V.c.number))]
        document = Document(
            row.id, Library(row.library), row.security_model_id, row.document_type,
            UploadedFor.model_validate(row.uploaded_for) if row.uploaded_for else None, versions, row.created_at,
            row.removed_at, row.removed_by, row.version)
        return self._loaded(document)

    def _loaded(self, aggregate: Document) -> Document:
        aggregate.__dict__["_stored_versions"] = len(aggregate.versions)
        return super()._loaded(aggregate)

    def _row(self, document: Document) -> dict[str, Any]:
        current = document.current
        return {
            "title": current.title, "content_type": current.file.content_type, "size_bytes": current.file.size_bytes,
            "file_version": current.number, "updated_at": current.at, "removed_at": document.removed_at,
            "removed_by": document.removed_by,
        }

    async def _insert(self, document: Document) -> None:
        await self.session.execute(insert(D).values(
            id=document.id, library=document.library.value, security_model_id=document.security_model_id,
            document_type=document.document_type,
            uploaded_for=document.uploaded_for.model_dump(mode="json") if document.uploaded_for else None,
            created_at=document.created_at, version=document.version, **self._row(document)))
        await self._insert_versions(document, 0)

    async def _update(self, document: Document) -> None:
        await self.session.execute(update(D).where(D.c.id == document.id).values(**self._row(document)))
        await self._insert_versions(document, document.__dict__.get("_stored_versions", 0))

    async def _insert_versions(self, document: Document, stored: int) -> None:
        new = document.versions[stored:]
        if new:
            await self.session.execute(insert(V), [{
                "document_id": document.id, "number": v.number, "title": v.title, "object_key": v.file.object_key,
                "content_type": v.file.content_type, "size_bytes": v.file.size_bytes, "sha256": v.file.sha256,
                "file_name": v.file.file_name, "change": v.change.value, "created_by": v.by, "created_at": v.at,
            } for v in new])
        document.__dict__["_stored_versions"] = len(document.versions)


@dataclass(frozen=True)
class Listing:
    library: Library
    security_model_id: uuid.UUID | None
    user_id: uuid.UUID
    tags: list[str]
    document_type: str | None
    title_contains: str | None
    uploaded_for_kind: str | None
    criterion_id: str | None
    sort: str
    limit: int
    offset: int


_SORTS = {
    "-updated_at": (D.c.updated_at.desc(), D.c.id.desc()),
    "updated_at": (D.c.updated_at.asc(), D.c.id.asc()),
    "title": (func.lower(D.c.title).asc(), D.c.id.asc()),
    "-title": (func.lower(D.c.title).desc(), D.c.id.desc()),
    "-size_bytes": (D.c.size_bytes.desc(), D.c.id.desc()),
    "size_bytes": (D.c.size_bytes.asc(), D.c.id.asc()),
}
SORTS = tuple(_SORTS)


class LibraryListing:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(self, q: Listing) -> tuple[list[dict[str, Any]], int]:
        """One page of a library, filtered; `tags` are the caller's own and a document must carry all of them."""
        conditions = [D.c.library == q.library.value, D.c.removed_at.is_(None)]
        conditions.append(D.c.security_model_id == q.security_model_id if q.library is Library.PARTNER
                          else D.c.security_model_id.is_(None))
        if q.document_type:
            conditions.append(D.c.document_type == q.document_type)
        if q.title_contains:
            escaped = q.title_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(D.c.title.ilike(f"%{escaped}%", escape="\\"))
        if q.uploaded_for_kind:
            conditions.append(D.c.uploaded_for["kind"].astext == q.uploaded_for_kind)
        if q.criterion_id:
            conditions.append(D.c.uploaded_for["criterion_id"].astext == q.criterion_id)
        if q.tags:
            # DOC-08: the documents this user tagged with every one of the tags (from the user's own rows only).
            tagged = (select(T.c.document_id).where(T.c.user_id == q.user_id, T.c.tag.in_(q.tags))
                      .group_by(T.c.document_id).having(func.count() == len(q.tags)))
            conditions.append(D.c.id.in_(tagged))
        where = and_(*conditions)
        total = (await self.session.execute(select(func.count()).select_from(D).where(where))).scalar_one()
        rows = [dict(r._mapping) for r in await self.session.execute(
            select(D.c.id, D.c.library, D.c.security_model_id, D.c.document_type, D.c.uploaded_for, D.c.title,
                   D.c.content_type, D.c.size_bytes, D.c.file_version, D.c.created_at, D.c.updated_at)
            .where(where).order_by(*_SORTS[q.sort]).limit(q.limit).offset(q.offset))]
        if rows:
            mine = await TagRepository(self.session).of_documents(q.user_id, [r["id"] for r in rows])
            for r in rows:
                r["tags"] = mine.get(r["id"], [])
        return rows, total


class TagRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_documents(self, user_id: uuid.UUID, document_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        found: dict[uuid.UUID, list[str]] = {}
        for r in await self.session.execute(select(T.c.document_id, T.c.tag).where(
                T.c.user_id == user_id, T.c.document_id.in_(document_ids)).order_by(func.lower(T.c.tag))):
            found.setdefault(r.document_id, []).append(r.tag)
        return found

    async def spellings(self, user_id: uuid.UUID) -> dict[str, str]:
        """The user's tags as first typed, by their case-folded form: "iso" joins an existing "ISO"."""
        rows = await self.session.execute(select(T.c.tag).where(T.c.user_id == user_id).distinct())
        return {r.tag.casefold(): r.tag for r in rows}

    async def replace(self, user_id: uuid.UUID, document_id: uuid.UUID, tags: list[str]) -> None:
        await self.session.execute(delete(T).where(T.c.user_id == user_id, T.c.document_id == document_id))
        if tags:
            await self.session.execute(insert(T), [{"user_id": user_id, "document_id": document_id, "tag": t}
                                                   for t in tags])

    async def counts(self, user_id: uuid.UUID) -> list[tuple[str, int]]:
        """The user's tags and how many listed documents carry each."""
        rows = await self.session.execute(
            select(T.c.tag, func.count().label("n")).select_from(T.join(D, D.c.id == T.c.document_id))
            .where(T.c.user_id == user_id, D.c.removed_at.is_(None))
            .group_by(T.c.tag).order_by(func.lower(T.c.tag)))
        return [(r.tag, r.n) for r in rows]


@dataclass(frozen=True)
class PendingUpload:
    id: uuid.UUID
    object_key: str
    document_id: uuid.UUID | None
    library: Library
    security_model_id: uuid.UUID | None
    document_type: str
    uploaded_for: UploadedFor | None
    title: str
    file_name: str | None
    declared_content_type: str | None
    size_bytes: int
    sha256: str
    created_by: uuid.UUID
    expires_at: datetime


class PendingUploads:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, upload: PendingUpload) -> None:
        values = {**upload.__dict__, "library": upload.library.value,
                  "uploaded_for": upload.uploaded_for.model_dump(mode="json") if upload.uploaded_for else None}
        await self.session.execute(insert(P).values(**values))

    async def take(self, upload_id: uuid.UUID) -> PendingUpload | None:
        """The upload, locked: two completions of one upload cannot both list it."""
        row = (await self.session.execute(select(P).where(P.c.id == upload_id).with_for_update())).first()
        if row is None:
            return None
        m = dict(row._mapping)
        m["library"] = Library(m["library"])
        m["uploaded_for"] = UploadedFor.model_validate(m["uploaded_for"]) if m["uploaded_for"] else None
        return PendingUpload(**m)

    async def forget(self, upload_id: uuid.UUID) -> None:
        await self.session.execute(delete(P).where(P.c.id == upload_id))

    async def expired(self, now: datetime, limit: int) -> list[tuple[uuid.UUID, str]]:
        rows = await self.session.execute(
            select(P.c.id, P.c.object_key).where(P.c.expires_at < now).order_by(P.c.expires_at).limit(limit)
            .with_for_update(skip_locked=True))
        return [(r.id, r.object_key) for r in rows]

