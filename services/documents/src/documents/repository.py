"""All of documents' SQL. Repositories flush; the edge commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from documents import tables
from documents.domain.document import Change, Document, StoredFile, Version
from documents.domain.library import Caller, Library
from portal_events.documents import UploadedFor
from servicekit.reads import ByName, Query, Reads
from servicekit.store import AggregateRepository

M, C, SM, MC = tables.members, tables.companies, tables.security_models, tables.model_contacts
D, V, P, T = tables.documents, tables.document_versions, tables.pending_uploads, tables.document_tags


_PUBLIC_LIBRARY_KEYS = {lib: uuid.uuid5(uuid.NAMESPACE_URL, f"urn:ctpat-portal:library:{lib.value}")
                        for lib in (Library.TRADE_PUBLIC, Library.CTPAT_PUBLIC)}


def library_key(library: Library, model_id: uuid.UUID | None) -> uuid.UUID:
    """Which library a tag row belongs to: the model for a Partner Library, a fixed id for a public one."""
    return model_id if library is Library.PARTNER and model_id is not None else _PUBLIC_LIBRARY_KEYS[library]


def _caller_facts(model: str) -> str:
    """What decides a caller's libraries (DOC-01..DOC-03), as columns of one statement; `model` is the SQL of the
    Security Model asked about (a parameter, or a document's column)."""
    return f"""
        exists (select 1 from members m where m.user_id = :user_id and m.status = 'active') as trade_user,
        exists (select 1 from model_contacts c join members m on m.member_id = c.member_id
                where m.user_id = :user_id and m.status = 'active') as contact_anywhere,
        exists (select 1 from model_contacts c join members m on m.member_id = c.member_id
                where c.model_id = {model} and m.user_id = :user_id and m.status = 'active') as contact,
        exists (select 1 from security_models s where s.model_id = {model} and s.scss_user_id = :user_id) as scss"""


def _caller(row: Any, user_id: uuid.UUID, roles: frozenset[str], model_id: uuid.UUID | None) -> Caller:
    mine = frozenset({model_id}) if model_id is not None else frozenset()
    return Caller(user_id, roles, row.trade_user, row.contact_anywhere, mine if row.contact else frozenset(),
                  mine if row.scss else frozenset())


_CALLER = text(f"select {_caller_facts('cast(:model_id as uuid)')}")


class AccessRepository:
    """Who the caller is to the libraries, from the read models (DOC-01..DOC-03)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def caller(self, user_id: uuid.UUID, roles: frozenset[str], model_id: uuid.UUID | None = None) -> Caller:
        row = (await self.session.execute(_CALLER, {"user_id": user_id, "model_id": model_id})).one()
        return _caller(row, user_id, roles, model_id)


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


def _document(row: Any, versions: list[Version]) -> Document:
    return Document(
        row.id, Library(row.library), row.security_model_id, row.document_type,
        UploadedFor.model_validate(row.uploaded_for) if row.uploaded_for else None, versions, row.created_at,
        row.removed_at, row.removed_by, row.version)


class DocumentRepository(AggregateRepository[Document]):
    root = D

    async def get(self, document_id: uuid.UUID, *, for_update: bool = False) -> Document | None:
        query = select(D).where(D.c.id == document_id)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        if row is None:
            return None
        versions = [_version(v) for v in await self.session.execute(
            select(V).where(V.c.document_id == document_id).order_by(V.c.number))]
        return self._loaded(_document(row, versions))

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

    # Statements built once, values passed as parameters: building `.values(...)` per call coerced every value
    # and was a third of an upload's CPU (py-spy).
    _INSERT = insert(D)
    _UPDATE = update(D).where(D.c.id == bindparam("document_id"))

    async def _insert(self, document: Document) -> None:
        await self.session.execute(self._INSERT, {
            "id": document.id, "library": document.library.value, "security_model_id": document.security_model_id,
            "document_type": document.document_type,
            "uploaded_for": document.uploaded_for.model_dump(mode="json") if document.uploaded_for else None,
            "created_at": document.created_at, "version": document.version, **self._row(document)})
        await self._insert_versions(document, 0)

    async def _update(self, document: Document) -> None:
        await self.session.execute(self._UPDATE, {"document_id": document.id, **self._row(document)})
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


class TagRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def spellings(self, user_id: uuid.UUID) -> dict[str, str]:
        """The user's tags as first typed, by their case-folded form: "iso" joins an existing "ISO"."""
        rows = await self.session.execute(select(T.c.tag).where(T.c.user_id == user_id).distinct())
        return {r.tag.casefold(): r.tag for r in rows}

    async def replace(self, user_id: uuid.UUID, document: Document, tags: list[str]) -> None:
        """One user's saves on one document take turns (a transaction lock on the pair), so two at once both
        succeed and the later one's set is what stays, never a mix of both."""
        await self.session.execute(select(func.pg_advisory_xact_lock(
            func.hashtextextended(f"document-tags:{user_id}:{document.id}", 0))))
        await self.session.execute(delete(T).where(T.c.user_id == user_id, T.c.document_id == document.id,
                                                   T.c.tag.not_in(tags)))
        if tags:
            key = library_key(document.library, document.security_model_id)
            await self.session.execute(
                pg_insert(T).on_conflict_do_nothing(),
                [{"user_id": user_id, "library_key": key, "document_id": document.id, "tag": t} for t in tags])

    async def forget_document(self, document_id: uuid.UUID) -> None:
        """A document removed from its library takes everyone's tags on it along: they filtered what is gone."""
        await self.session.execute(delete(T).where(T.c.document_id == document_id))

    async def counts(self, user_id: uuid.UUID) -> list[tuple[str, int]]:
        """The user's tags and how many documents carry each."""
        rows = await self.session.execute(
            select(T.c.tag, func.count().label("n")).where(T.c.user_id == user_id)
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


# Taking an upload out and asking who its completer is, in one statement.
_TAKE = text(f"delete from pending_uploads p where p.id = :id returning p.*, {_caller_facts('p.security_model_id')}")


class PendingUploads:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, upload: PendingUpload) -> None:
        values = {**upload.__dict__, "library": upload.library.value,
                  "uploaded_for": upload.uploaded_for.model_dump(mode="json") if upload.uploaded_for else None}
        await self.session.execute(insert(P), values)

    async def take(self, upload_id: uuid.UUID, user_id: uuid.UUID,
                   roles: frozenset[str]) -> tuple[PendingUpload, Caller] | None:
        """Takes the upload out (its row deleted and so locked: two completions cannot both list it; a refusal
        rolls back and puts it back), with who its completer is to the library it is for."""
        row = (await self.session.execute(_TAKE, {"id": upload_id, "user_id": user_id})).first()
        if row is None:
            return None
        m = {k: v for k, v in row._mapping.items() if k not in ("trade_user", "contact_anywhere", "contact", "scss")}
        m["library"] = Library(m["library"])
        m["uploaded_for"] = UploadedFor.model_validate(m["uploaded_for"]) if m["uploaded_for"] else None
        pending = PendingUpload(**m)
        return pending, _caller(row, user_id, roles, pending.security_model_id)

    async def forget(self, upload_id: uuid.UUID) -> None:
        await self.session.execute(delete(P).where(P.c.id == upload_id))

    async def expired(self, now: datetime, limit: int) -> list[tuple[uuid.UUID, str]]:
        rows = await self.session.execute(
            select(P.c.id, P.c.object_key).where(P.c.expires_at < now).order_by(P.c.expires_at).limit(limit)
            .with_for_update(skip_locked=True))
        return [(r.id, r.object_key) for r in rows]



# --- the read side (servicekit.reads): a library's page, a document to show or link, in one statement each -------

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
    "-updated_at": "d.updated_at desc, d.id desc",
    "updated_at": "d.updated_at, d.id",
    "title": "lower(d.title), d.id",
    "-title": "lower(d.title) desc, d.id desc",
    "-size_bytes": "d.size_bytes desc, d.id desc",
    "size_bytes": "d.size_bytes, d.id",
}
SORTS = tuple(_SORTS)

_PAGE_COLUMNS = ("d.id, d.library, d.security_model_id, d.document_type, d.uploaded_for, d.title, d.content_type,"
                 " d.size_bytes, d.file_version, d.created_at, d.updated_at")


def _filtered_sql(q: Listing) -> str:
    """The library's documents this filter keeps. DOC-08: the documents carrying all of the user's tags are the
    intersection of one range of document_tags' primary key (user, tag, document) per tag: a few thousand index
    entries at most, however large the library, before a single document row is read."""
    conditions = ["d.library = :library", "d.removed_at is null"]
    conditions.append("d.security_model_id = :model_id" if q.library is Library.PARTNER
                      else "d.security_model_id is null")
    if q.document_type:
        conditions.append("d.document_type = :document_type")
    if q.title_contains:
        conditions.append(r"d.title ilike :title_pattern escape '\'")
    if q.uploaded_for_kind:
        conditions.append("d.uploaded_for ->> 'kind' = :kind")
    if q.criterion_id:
        conditions.append("d.uploaded_for ->> 'criterion_id' = :criterion_id")
    where = " and ".join(conditions)
    if not q.tags:
        return f"documents d where {where}"
    # Each tagged document by its key (a lateral lookup, never a scan of the library to hash against).
    return (f"tagged cross join lateral (select * from documents d where d.id = tagged.document_id and {where}"
            " offset 0) d")  # offset 0: kept a lookup per tagged row, never flattened into a hash of the library


def _tagged_sql(q: Listing) -> str:
    first, *others = range(len(q.tags))
    joins = "".join(f" join document_tags t{i} on t{i}.user_id = t0.user_id and t{i}.library_key = t0.library_key"
                    f" and t{i}.tag = :tag{i} and t{i}.document_id = t0.document_id" for i in others)
    return (f"select t0.document_id from document_tags t{first}{joins}"
            f" where t0.user_id = :user_id and t0.library_key = :library_key and t0.tag = :tag0")


def _only_tags(q: Listing) -> bool:
    return bool(q.tags) and not (q.document_type or q.title_contains or q.uploaded_for_kind or q.criterion_id)


def _with_tagged(q: Listing) -> str:
    """The tagged documents first, on their own (materialized): a plan that walked the library newest first and
    probed each document's tags read thousands of documents for a rare pair of tags (6 ms for 214 of 10,000),
    and PostgreSQL keeps one plan for a prepared statement after five runs."""
    return f"with tagged as materialized ({_tagged_sql(q)}) " if q.tags else ""


def _page_sql(q: Listing) -> str:
    # The caller's own tags are read for the page's rows only, once the page is cut.
    return (_with_tagged(q) + "select p.*, array(select t.tag from document_tags t where t.user_id = :user_id"
            f" and t.document_id = p.id order by lower(t.tag)) as tags"
            f" from (select {_PAGE_COLUMNS} from {_filtered_sql(q)}"
            f" order by {_SORTS[q.sort]} limit :limit offset :offset) p")


def _count_sql(q: Listing) -> str:
    if _only_tags(q):
        # A tag row exists only for a listed document of the library it is keyed by (a removed document's tags
        # go with it): counting the merged tag ranges is counting the documents, without reading one of them.
        # (Joined to the documents, the plan PostgreSQL keeps for the prepared statement after five runs
        # scanned them all: 8-10 ms instead of 1.)
        return f"select count(*) from ({_tagged_sql(q)}) tagged"
    return _with_tagged(q) + f"select count(*) from {_filtered_sql(q)}"


_DOCUMENT = text(f"""
    select d.*,
           coalesce((select json_agg(json_build_object(
                'number', v.number, 'title', v.title, 'object_key', v.object_key, 'content_type', v.content_type,
                'size_bytes', v.size_bytes, 'sha256', v.sha256, 'file_name', v.file_name, 'change', v.change,
                'created_by', v.created_by, 'created_at', v.created_at) order by v.number)
                from document_versions v where v.document_id = d.id), '[]') as versions,
           array(select t.tag from document_tags t where t.user_id = :user_id and t.document_id = d.id
                 order by lower(t.tag)) as tags,
           {_caller_facts('d.security_model_id')}
    from documents d where d.id = :id""")

_PARTNER_LIBRARIES = text("""
    select s.model_id, s.trade_account_id, s.business_types, coalesce(c.company_name, '') as company_name,
           exists (select 1 from model_contacts mc join members m on m.member_id = mc.member_id
                   where mc.model_id = s.model_id and m.user_id = :user_id and m.status = 'active') as contact
    from security_models s left join companies c on c.trade_account_id = s.trade_account_id
    where s.scss_user_id = :user_id
       or s.model_id in (select mc.model_id from model_contacts mc join members m on m.member_id = mc.member_id
                         where m.user_id = :user_id and m.status = 'active')
    order by coalesce(c.company_name, ''), s.model_id""")


class _JsonVersion:
    """A version row as json_agg renders it (ids and times as text)."""

    def __init__(self, v: dict[str, Any]) -> None:
        self.number, self.title, self.object_key = v["number"], v["title"], v["object_key"]
        self.content_type, self.size_bytes, self.sha256 = v["content_type"], v["size_bytes"], v["sha256"]
        self.file_name, self.change = v["file_name"], v["change"]
        self.created_by = uuid.UUID(v["created_by"])
        self.created_at = datetime.fromisoformat(v["created_at"])


class DocumentReads:
    """Reading to show (a page, a document, a link), not to change: one statement each, no session."""

    DOCUMENT = Query(_DOCUMENT)
    CALLER = Query(_CALLER)
    PARTNER_LIBRARIES = Query(_PARTNER_LIBRARIES)
    _pages: dict[tuple, tuple[Query, Query]] = {}  # (page, count), compiled once per shape of filter

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    async def caller(self, user_id: uuid.UUID, roles: frozenset[str], model_id: uuid.UUID | None = None) -> Caller:
        row = await self.reads.one(self.CALLER, user_id=user_id, model_id=model_id)
        return _caller(ByName(row), user_id, roles, model_id)

    async def document(self, document_id: uuid.UUID, user_id: uuid.UUID,
                       roles: frozenset[str]) -> tuple[Document, Caller, list[str]] | None:
        """The document with its archive, the caller's tags on it, and who the caller is to its library."""
        record = await self.reads.one(self.DOCUMENT, id=document_id, user_id=user_id)
        if record is None:
            return None
        row = ByName(record)
        document = _document(row, [_version(_JsonVersion(v)) for v in record["versions"]])
        return document, _caller(row, user_id, roles, document.security_model_id), list(record["tags"])

    async def partner_libraries(self, user_id: uuid.UUID) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.reads.all(self.PARTNER_LIBRARIES, user_id=user_id)]

    async def page(self, q: Listing) -> tuple[list[dict[str, Any]], int]:
        """One page of a library, filtered; `tags` are the caller's own and a document must carry all of them."""
        shape = (q.library is Library.PARTNER, len(q.tags), bool(q.document_type), bool(q.title_contains),
                 bool(q.uploaded_for_kind), bool(q.criterion_id), q.sort)
        queries = self._pages.get(shape)
        if queries is None:
            queries = self._pages[shape] = (Query(text(_page_sql(q))), Query(text(_count_sql(q))))
        values: dict[str, Any] = {"library": q.library.value, "user_id": q.user_id, "limit": q.limit,
                                  "library_key": library_key(q.library, q.security_model_id),
                                  "offset": q.offset, "model_id": q.security_model_id,
                                  "document_type": q.document_type, "kind": q.uploaded_for_kind,
                                  "criterion_id": q.criterion_id}
        if q.title_contains:
            escaped = q.title_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            values["title_pattern"] = f"%{escaped}%"
        values.update({f"tag{i}": tag for i, tag in enumerate(q.tags)})
        page, count = queries
        rows = [dict(r) for r in await self.reads.all(page, **{k: values[k] for k in page.parameters})]
        if len(rows) < q.limit and (rows or q.offset == 0):
            return rows, q.offset + len(rows)  # the last page says how many there are
        total = await self.reads.one(count, **{k: values[k] for k in count.parameters})
        return rows, int(total[0])
