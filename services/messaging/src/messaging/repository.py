"""All of messaging's SQL. Repositories flush; the edge commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from messaging import tables
from messaging.domain.notices import Recipient
from messaging.domain.policies import Participant
from messaging.domain.thread import Attachment, Author, Kind, Message, Status, Thread
from servicekit.reads import ByName, Query, Reads
from servicekit.store import AggregateRepository

M, C, SM, MC = tables.members, tables.companies, tables.security_models, tables.model_contacts
T, MSG, R, PD = tables.threads, tables.messages, tables.thread_reads, tables.partner_documents
STAFF, NS = tables.staff, tables.notification_settings


def _participant_facts(model: str) -> str:
    """MSG-01 as columns of one statement; `model` is the SQL of the Security Model asked about."""
    return f"""
        exists (select 1 from model_contacts c join members m on m.member_id = c.member_id
                where c.model_id = {model} and m.user_id = :user_id and m.status = 'active') as contact,
        exists (select 1 from security_models s where s.model_id = {model} and s.scss_user_id = :user_id) as scss"""


_PARTICIPANT = text(f"select {_participant_facts('cast(:model_id as uuid)')}")


def _thread_facts() -> str:
    """Who takes part in thread `t`: its model's contacts and SCSS; on a name change, the Trade Account's
    administrators and the SCSS it went to, or (`mailbox`) CBP Management when it went to no SCSS."""
    return """
        (t.security_model_id is not null and exists (
            select 1 from model_contacts c join members m on m.member_id = c.member_id
            where c.model_id = t.security_model_id and m.user_id = :user_id and m.status = 'active'))
        or (t.kind = 'name_change' and exists (
            select 1 from members m where m.trade_account_id = t.trade_account_id and m.user_id = :user_id
            and m.status = 'active' and m.type = 'company_administrator')) as contact,
        exists (select 1 from security_models s where s.model_id = t.security_model_id
                and s.scss_user_id = :user_id)
        or (t.kind = 'name_change' and t.scss_user_id is not distinct from :user_id) as scss,
        t.kind = 'name_change' and t.scss_user_id is null as mailbox"""


_THREAD_PARTICIPANT = text(f"select {_thread_facts()} from threads t where t.id = :id")
_MEMBERSHIP = text("""
    select exists (select 1 from members m where m.trade_account_id = :account_id and m.user_id = :user_id
                   and m.status = 'active') as member,
           exists (select 1 from members m where m.trade_account_id = :account_id and m.user_id = :user_id
                   and m.status = 'active' and m.type = 'company_administrator') as administrator,
           (select c.company_name from companies c where c.trade_account_id = :account_id) as company_name""")


def _participant(user_id: uuid.UUID, roles: frozenset[str], row: Any) -> Participant:
    return Participant(user_id, bool(row.contact), bool(row.scss), bool(row.mailbox) and "management" in roles)


class ReadModels:
    """What trade-accounts', ctpat's and documents' events say about users, models and attachable documents."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def member(self, member_id: uuid.UUID, trade_account_id: uuid.UUID, user_id: uuid.UUID | None,
                     status: str, email: str | None = None, member_type: str | None = None) -> None:
        values = {"trade_account_id": trade_account_id, "user_id": user_id, "status": status, "email": email,
                  "type": member_type}
        await self.session.execute(pg_insert(M).values(member_id=member_id, **values)
                                   .on_conflict_do_update(index_elements=["member_id"], set_=values))

    async def staff(self, user_id: uuid.UUID, email: str) -> None:
        await self.session.execute(pg_insert(STAFF).values(user_id=user_id, email=email)
                                   .on_conflict_do_update(index_elements=["user_id"], set_={"email": email}))

    async def staff_email_changed(self, user_id: uuid.UUID, email: str) -> None:
        await self.session.execute(update(STAFF).where(STAFF.c.user_id == user_id).values(email=email))

    async def models_of_accounts(self, trade_account_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        return list((await self.session.scalars(select(SM.c.model_id).where(
            SM.c.trade_account_id.in_(trade_account_ids)).order_by(SM.c.model_id))).all())

    async def company_of(self, model_id: uuid.UUID) -> str:
        row = (await self.session.execute(select(C.c.company_name).select_from(
            SM.join(C, C.c.trade_account_id == SM.c.trade_account_id)).where(SM.c.model_id == model_id))).first()
        return row.company_name if row else ""

    async def member_removed(self, member_id: uuid.UUID) -> None:
        await self.session.execute(delete(M).where(M.c.member_id == member_id))

    async def company_named(self, trade_account_id: uuid.UUID, name: str) -> str | None:
        """Records the name; returns the one it had before (None: not known before)."""
        previous = (await self.session.execute(select(C.c.company_name).where(
            C.c.trade_account_id == trade_account_id).with_for_update())).scalar()
        await self.session.execute(pg_insert(C).values(trade_account_id=trade_account_id, company_name=name)
                                   .on_conflict_do_update(index_elements=["trade_account_id"],
                                                          set_={"company_name": name}))
        return previous

    async def model(self, model_id: uuid.UUID, trade_account_id: uuid.UUID, **values: Any) -> None:
        await self.session.execute(
            pg_insert(SM).values(model_id=model_id, trade_account_id=trade_account_id, **values)
            .on_conflict_do_update(index_elements=["model_id"], set_={"trade_account_id": trade_account_id, **values}))

    async def contacts(self, model_id: uuid.UUID, member_ids: list[uuid.UUID]) -> None:
        await self.session.execute(delete(MC).where(MC.c.model_id == model_id))
        if member_ids:
            await self.session.execute(insert(MC), [{"model_id": model_id, "member_id": m} for m in set(member_ids)])

    async def scss_assigned(self, model_id: uuid.UUID, trade_account_id: uuid.UUID, scss_user_id: uuid.UUID) -> None:
        """The new SCSS takes the model's threads over: their inbox is where the threads are. An open request of
        the account's to CBP that went to the previous SCSS, or to no SCSS, goes to the new one too."""
        previous = (await self.session.execute(select(SM.c.scss_user_id).where(SM.c.model_id == model_id)
                                               .with_for_update())).scalar()
        await self.session.execute(update(T).where(
            T.c.kind == "name_change", T.c.trade_account_id == trade_account_id, T.c.status == "open",
            T.c.scss_user_id.is_(None) | (T.c.scss_user_id == previous)).values(scss_user_id=scss_user_id))
        await self.model(model_id, trade_account_id, scss_user_id=scss_user_id)
        await self.session.execute(update(T).where(T.c.security_model_id == model_id)
                                   .values(scss_user_id=scss_user_id))

    async def document(self, document_id: uuid.UUID, model_id: uuid.UUID | None, title: str) -> None:
        if model_id is None:
            return  # a public library's document: attached to no model's messages
        await self.session.execute(
            pg_insert(PD).values(document_id=document_id, model_id=model_id, title=title, removed=0)
            .on_conflict_do_update(index_elements=["document_id"], set_={"title": title, "removed": 0}))

    async def document_removed(self, document_id: uuid.UUID) -> None:
        await self.session.execute(update(PD).where(PD.c.document_id == document_id).values(removed=1))

    async def attachable(self, document_id: uuid.UUID, model_id: uuid.UUID) -> Attachment | None:
        """MSG-04: a document of this model's Partner Library, still in it."""
        row = (await self.session.execute(select(PD.c.title).where(
            PD.c.document_id == document_id, PD.c.model_id == model_id, PD.c.removed == 0))).first()
        return Attachment(document_id, row.title) if row else None


_RECIPIENTS = text("""
    select m.user_id, m.email, coalesce(n.email_notices, true) as wants_notices
    from model_contacts c join members m on m.member_id = c.member_id
    left join notification_settings n on n.user_id = m.user_id
    where c.model_id = :model_id and m.status = 'active' and m.user_id is not null and m.email is not null
    union all
    select s.user_id, s.email, coalesce(n.email_notices, true)
    from security_models sm join staff s on s.user_id = sm.scss_user_id
    left join notification_settings n on n.user_id = s.user_id
    where sm.model_id = :model_id
    order by 2""")


_NAME_CHANGE_RECIPIENTS = text("""
    select m.user_id, m.email, coalesce(n.email_notices, true) as wants_notices
    from members m left join notification_settings n on n.user_id = m.user_id
    where m.trade_account_id = :account_id and m.status = 'active' and m.type = 'company_administrator'
      and m.user_id is not null and m.email is not null
    union all
    select s.user_id, s.email, coalesce(n.email_notices, true)
    from threads t join staff s on s.user_id = t.scss_user_id
    left join notification_settings n on n.user_id = s.user_id
    where t.id = :thread_id
    order by 2""")


class NoticeSettings:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def recipients_of_name_change(self, thread_id: uuid.UUID, account_id: uuid.UUID) -> list[Recipient]:
        rows = await self.session.execute(_NAME_CHANGE_RECIPIENTS, {"thread_id": thread_id, "account_id": account_id})
        return [Recipient(r.user_id, r.email, r.wants_notices) for r in rows]

    async def recipients(self, model_id: uuid.UUID) -> list[Recipient]:
        """Everyone taking part in the model's messages, with their address and whether they want notices."""
        rows = await self.session.execute(_RECIPIENTS, {"model_id": model_id})
        return [Recipient(r.user_id, r.email, r.wants_notices) for r in rows]

    async def wants_notices(self, user_id: uuid.UUID) -> bool:
        row = (await self.session.execute(select(NS.c.email_notices).where(NS.c.user_id == user_id))).first()
        return True if row is None else row.email_notices

    async def choose(self, user_id: uuid.UUID, email_notices: bool) -> None:
        await self.session.execute(pg_insert(NS).values(user_id=user_id, email_notices=email_notices)
                                   .on_conflict_do_update(index_elements=["user_id"],
                                                          set_={"email_notices": email_notices}))


class Participants:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_thread(self, user_id: uuid.UUID, roles: frozenset[str], thread_id: uuid.UUID) -> Participant:
        row = (await self.session.execute(_THREAD_PARTICIPANT, {"user_id": user_id, "id": thread_id})).first()
        return _participant(user_id, roles, row) if row else Participant(user_id, False, False)

    async def membership(self, user_id: uuid.UUID, account_id: uuid.UUID) -> tuple[bool, bool, str]:
        """(a user of the account, one of its Company Administrators, the company's name)."""
        row = (await self.session.execute(_MEMBERSHIP, {"user_id": user_id, "account_id": account_id})).one()
        return row.member, row.administrator, row.company_name or ""

    async def of(self, user_id: uuid.UUID, model_id: uuid.UUID) -> Participant:
        row = (await self.session.execute(_PARTICIPANT, {"user_id": user_id, "model_id": model_id})).one()
        return Participant(user_id, row.contact, row.scss)


def _message(row: Any) -> Message:
    attachment = Attachment(row.document_id, row.document_title) if row.document_id else None
    return Message(row.id, row.sequence, Author(row.author), row.author_user_id, row.body, attachment, row.posted_at)


class ThreadRepository(AggregateRepository[Thread]):
    root = T
    _INSERT = insert(T)
    _UPDATE = update(T).where(T.c.id == bindparam("thread_id"))
    _INSERT_MESSAGE = insert(MSG)
    _ACCOUNT_SCSS = (select(SM.c.scss_user_id).where(SM.c.trade_account_id == bindparam("account"),
                                                     SM.c.scss_user_id.is_not(None))
                     .order_by(SM.c.model_id).limit(1))
    unique_fields = {"one_open_name_change": "trade_account_id"}
    _COUNTED = (update(SM).where(SM.c.model_id == bindparam("counted_model"))
                .values(thread_count=SM.c.thread_count + 1).returning(SM.c.scss_user_id))

    async def get(self, thread_id: uuid.UUID, *, for_update: bool = False) -> Thread | None:
        query = select(T).where(T.c.id == thread_id)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        if row is None:
            return None
        messages = [_message(m) for m in await self.session.execute(
            select(MSG).where(MSG.c.thread_id == thread_id).order_by(MSG.c.sequence))]
        return self._loaded(Thread(row.id, row.security_model_id, row.subject, Kind(row.kind), messages,
                                   row.created_at, row.trade_account_id, Status(row.status), row.version))

    async def open_name_changes(self, trade_account_id: uuid.UUID) -> list[Thread]:
        ids = (await self.session.scalars(select(T.c.id).where(
            T.c.kind == "name_change", T.c.trade_account_id == trade_account_id, T.c.status == "open"))).all()
        return [t for t in [await self.get(i, for_update=True) for i in ids] if t is not None]

    async def exists(self, thread_id: uuid.UUID) -> bool:
        return (await self.session.execute(select(T.c.id).where(T.c.id == thread_id))).first() is not None

    def _loaded(self, aggregate: Thread) -> Thread:
        aggregate.__dict__["_stored_messages"] = len(aggregate.messages)
        return super()._loaded(aggregate)

    async def _insert(self, thread: Thread) -> None:
        if thread.security_model_id is not None:
            # Counting the thread locks the model's row, and its SCSS is read under that lock: an ScssAssigned
            # being applied meanwhile either came first (its SCSS is the one read) or waits for this commit and
            # then moves this thread too. Never a thread left with the SCSS before.
            scss = (await self.session.execute(self._COUNTED, {"counted_model": thread.security_model_id})).scalar()
        else:
            # A Trade Account's request to CBP goes to the account's assigned SCSS (of its first model that has
            # one); with none, to CBP's program mailbox (scss None: Management).
            scss = (await self.session.execute(self._ACCOUNT_SCSS, {"account": thread.trade_account_id})).scalar()
        await self.session.execute(self._INSERT, {
            "id": thread.id, "security_model_id": thread.security_model_id, "trade_account_id": thread.trade_account_id,
            "scss_user_id": scss, "subject": thread.subject, "kind": thread.kind.value, "status": thread.status.value,
            "created_at": thread.created_at, "last_posted_at": thread.last.posted_at,
            "message_count": len(thread.messages), "version": thread.version})
        await self._insert_messages(thread)

    async def _update(self, thread: Thread) -> None:
        await self.session.execute(self._UPDATE, {"thread_id": thread.id, "last_posted_at": thread.last.posted_at,
                                                  "message_count": len(thread.messages),
                                                  "status": thread.status.value})
        await self._insert_messages(thread)

    async def _insert_messages(self, thread: Thread) -> None:
        new = thread.messages[thread.__dict__.get("_stored_messages", 0):]
        if new:
            await self.session.execute(self._INSERT_MESSAGE, [{
                "thread_id": thread.id, "sequence": m.sequence, "id": m.id, "author": m.author.value,
                "author_user_id": m.author_user_id, "body": m.body,
                "document_id": m.attachment.document_id if m.attachment else None,
                "document_title": m.attachment.title if m.attachment else None, "posted_at": m.posted_at,
            } for m in new])
        thread.__dict__["_stored_messages"] = len(thread.messages)


class ReadMarks:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def read(self, user_id: uuid.UUID, thread_id: uuid.UUID, count: int) -> None:
        """MSG-02: the user has read the thread up to its `count`th message (never back: a late mark keeps more)."""
        await self.session.execute(
            pg_insert(R).values(user_id=user_id, thread_id=thread_id, read_count=count)
            .on_conflict_do_update(index_elements=["user_id", "thread_id"],
                                   set_={"read_count": text("greatest(thread_reads.read_count, excluded.read_count)")}))


# --- the read side (servicekit.reads) ------------------------------------------------------------------------------

_ROW = """t.id, t.security_model_id, t.trade_account_id, t.subject, t.kind, t.status, t.created_at,
          t.last_posted_at, t.message_count,
          coalesce(c.company_name, '') as company_name,
          coalesce((select r.read_count from thread_reads r where r.user_id = :user_id and r.thread_id = t.id), 0)
            < t.message_count as unread"""
_NAMED = "left join security_models s on s.model_id = t.security_model_id" \
         " left join companies c on c.trade_account_id = coalesce(s.trade_account_id, t.trade_account_id)"
# MSG-02: newest first; a list may also be read oldest first (the same index, scanned the other way).
_ORDERS = {True: "t.last_posted_at desc, t.id desc", False: "t.last_posted_at, t.id"}


def _of_model(order: str):
    return text(f"""
    select {_ROW}, count(*) over () as total from threads t {_NAMED}
    where t.security_model_id = :model_id order by {order} limit :limit offset :offset""")

# A Trade Account's requests to CBP that this user sees besides their SCSS's: as one of the account's Company
# Administrators, or as CBP Management when a request went to no SCSS (the program's mailbox). Few rows.
_ASKED = """(t.trade_account_id in (select m.trade_account_id from members m where m.user_id = :user_id
                                 and m.status = 'active' and m.type = 'company_administrator')
          or (:management and t.scss_user_id is null))"""

# A user's threads: those of the models they are a contact of, those of their SCSS inbox, and the requests to CBP
# they see; each side one index range, cut to the page before they are merged.
def _inbox(order: str):
    return text(f"""
    with mine as (
        (select t.id, t.last_posted_at from threads t
         where t.security_model_id in (select c.model_id from model_contacts c join members m
                                       on m.member_id = c.member_id
                                       where m.user_id = :user_id and m.status = 'active')
         order by {order} limit :window)
        union
        (select t.id, t.last_posted_at from threads t where t.scss_user_id = :user_id
         order by {order} limit :window)
        union
        (select t.id, t.last_posted_at from threads t where t.kind = 'name_change' and {_ASKED})
    )
    select {_ROW} from mine join threads t on t.id = mine.id {_NAMED}
    order by {order} limit :limit offset :offset""")

_INBOX_COUNT = text(f"""
    select coalesce(sum(s.thread_count), 0)
           + (select count(*) from threads t where t.kind = 'name_change'
              and (t.scss_user_id is not distinct from :user_id or {_ASKED}))
    from security_models s
    where s.scss_user_id = :user_id
       or s.model_id in (select c.model_id from model_contacts c join members m
                         on m.member_id = c.member_id where m.user_id = :user_id and m.status = 'active')""")

_THREAD = text(f"""
    select t.*, {_thread_facts()},
           coalesce((select r.read_count from thread_reads r where r.user_id = :user_id and r.thread_id = t.id), 0)
             as read_count
    from threads t where t.id = :id""")

_MESSAGES = text("select * from messages where thread_id = :id order by sequence desc")


class ThreadReads:
    OF_MODEL = {newest: Query(_of_model(order)) for newest, order in _ORDERS.items()}
    INBOX = {newest: Query(_inbox(order)) for newest, order in _ORDERS.items()}
    INBOX_COUNT = Query(_INBOX_COUNT)
    THREAD, MESSAGES, PARTICIPANT = Query(_THREAD), Query(_MESSAGES), Query(_PARTICIPANT)

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    async def participant(self, user_id: uuid.UUID, model_id: uuid.UUID) -> Participant:
        row = await self.reads.one(self.PARTICIPANT, user_id=user_id, model_id=model_id)
        return Participant(user_id, row["contact"], row["scss"])

    async def of_model(self, model_id: uuid.UUID, user_id: uuid.UUID, limit: int,
                       offset: int, newest_first: bool = True) -> tuple[list[dict], int]:
        rows = [dict(r) for r in await self.reads.all(self.OF_MODEL[newest_first], model_id=model_id, user_id=user_id,
                                                      limit=limit, offset=offset)]
        total = rows[0]["total"] if rows else 0
        for r in rows:
            r.pop("total")
        return rows, total

    async def inbox(self, user_id: uuid.UUID, management: bool, limit: int, offset: int,
                    newest_first: bool = True) -> tuple[list[dict], int]:
        rows = [dict(r) for r in await self.reads.all(self.INBOX[newest_first], user_id=user_id, limit=limit,
                                                      offset=offset, window=limit + offset, management=management)]
        if len(rows) < limit and (rows or offset == 0):
            return rows, offset + len(rows)
        total = await self.reads.one(self.INBOX_COUNT, user_id=user_id, management=management)
        return rows, int(total[0])

    async def thread(self, thread_id: uuid.UUID, user_id: uuid.UUID,
                     roles: frozenset[str]) -> tuple[Any, Participant, list[Message]] | None:
        row = await self.reads.one(self.THREAD, id=thread_id, user_id=user_id)
        if row is None:
            return None
        participant = _participant(user_id, roles, ByName(row))
        messages = [_message(ByName(m)) for m in await self.reads.all(self.MESSAGES, id=thread_id)] \
            if participant.takes_part else []
        return ByName(row), participant, messages
