"""All of trade-accounts' SQL. Repositories flush; the edge commits."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.mail import Mail, MailQueue
from servicekit.reads import Query, Reads
from servicekit.store import AggregateRepository
from trade_accounts import tables
from trade_accounts.domain.actors import KnownUser
from trade_accounts.domain.addresses import Address, AddressType
from trade_accounts.domain.invitations import InvitationMail
from trade_accounts.domain.requests import (
    AccountFacts,
    Approval,
    ApprovalKind,
    Decision,
    HistoryEntry,
    RequestKind,
    RequestStatus,
    TradeAccountRequest,
)
from trade_accounts.domain.trade_account import (
    CompanyInformation,
    Member,
    MemberStatus,
    MemberType,
    PersonDetails,
    TradeAccount,
    UsedEntries,
)

_PERSON_FIELDS = ("salutation", "first_name", "last_name", "title", "phone")
_ADDRESS_FIELDS = ("street_line_1", "street_line_2", "city", "country", "state", "postal_code")


def _details(row: Any) -> PersonDetails:
    return PersonDetails(*(getattr(row, f) for f in _PERSON_FIELDS))


# The whole aggregate in one round trip: the account row, and its addresses, users, SCSS and what its
# Security Models use as JSON aggregates. Five statements cost five round trips and about 0.5 ms of
# SQLAlchemy each read (bench.per_request, Trade Account read).
_LOAD_ACCOUNT = text(
    "select t.*,"
    " (select coalesce(json_agg(a order by a.position), '[]') from addresses a"
    "   where a.trade_account_id = t.id) as address_rows,"
    " (select coalesce(json_agg(m order by m.position), '[]') from memberships m"
    "   where m.trade_account_id = t.id) as member_rows,"
    " (select coalesce(json_agg(sm.scss_user_id), '[]') from security_models sm"
    "   where sm.trade_account_id = t.id and sm.scss_user_id is not null) as scss_ids,"
    " (select coalesce(json_agg(json_build_array(u.entry_kind, u.entry_id)), '[]') from security_model_usage u"
    "   where u.trade_account_id = t.id) as usage"
    " from trade_accounts t where t.id = :id"
)


def _account_from_row(row: Mapping[str, Any]) -> TradeAccount:
    """`_LOAD_ACCOUNT`'s row (a SQLAlchemy row's `_mapping`, or an asyncpg record) as a TradeAccount."""
    address_rows, member_rows, scss_ids, usage = (
        json.loads(v) if isinstance(v, str) else v
        for v in (row["address_rows"], row["member_rows"], row["scss_ids"], row["usage"])
    )
    return TradeAccount(
        id=row["id"],
        merged_into=row["merged_into"],
        used_address_ids=frozenset(uuid.UUID(e) for kind, e in usage if kind == "address"),
        used_member_ids=frozenset(uuid.UUID(e) for kind, e in usage if kind == "member"),
        assigned_scss_ids=frozenset(uuid.UUID(s) for s in scss_ids),
        company=CompanyInformation(
            row["company_name"], row["doing_business_as"], row["number_of_employees"],
            row["business_start_date"], row["brief_history"],
        ),
        created_at=row["created_at"],
        created_by=row["created_by"],
        parent_id=row["parent_id"],
        version=row["version"],
        addresses=[
            Address(uuid.UUID(r["id"]), AddressType(r["type"]), *(r[f] for f in _ADDRESS_FIELDS))
            for r in address_rows
        ],
        members=[
            Member(uuid.UUID(r["id"]), r["email"], uuid.UUID(r["user_id"]) if r["user_id"] else None,
                   PersonDetails(*(r[f] for f in _PERSON_FIELDS)), MemberType(r["type"]), MemberStatus(r["status"]))
            for r in member_rows
        ],
    )


class TradeAccountReads:
    """Reading a Trade Account to show, not to change (servicekit.reads): no session, no version check."""

    LOAD = Query(_LOAD_ACCOUNT)

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    async def get(self, account_id: uuid.UUID) -> TradeAccount | None:
        row = await self.reads.one(self.LOAD, id=account_id)
        return _account_from_row(row) if row is not None else None


class TradeAccountRepository(AggregateRepository[TradeAccount]):
    root = tables.trade_accounts
    stale_message = "The Trade Account was changed by someone else meanwhile; reload and try again."

    async def get(self, account_id: uuid.UUID) -> TradeAccount | None:
        row = (await self.session.execute(_LOAD_ACCOUNT, {"id": account_id})).first()
        return self._loaded(_account_from_row(row._mapping)) if row is not None else None

    def _account_values(self, account: TradeAccount) -> dict[str, Any]:
        return {**account.company.__dict__, "parent_id": account.parent_id, "merged_into": account.merged_into,
                "version": account.version}

    async def _insert(self, account: TradeAccount) -> None:
        await self.session.execute(
            insert(tables.trade_accounts).values(
                id=account.id, created_at=account.created_at, created_by=account.created_by,
                **self._account_values(account),
            )
        )
        await self._write_children(account)

    async def _update(self, account: TradeAccount) -> None:
        await self.session.execute(
            update(tables.trade_accounts).where(tables.trade_accounts.c.id == account.id)
            .values(**self._account_values(account))
        )
        await self._write_children(account)

    async def _write_children(self, account: TradeAccount) -> None:
        a, m = tables.addresses, tables.memberships
        await self.session.execute(delete(a).where(a.c.trade_account_id == account.id))
        await self.session.execute(delete(m).where(m.c.trade_account_id == account.id))
        if account.addresses:
            await self.session.execute(insert(a), [
                {"id": ad.id, "trade_account_id": account.id, "position": i, "type": ad.type.value,
                 **{f: getattr(ad, f) for f in _ADDRESS_FIELDS}}
                for i, ad in enumerate(account.addresses)
            ])
        if account.members:
            await self.session.execute(insert(m), [
                {"id": mb.id, "trade_account_id": account.id, "position": i, "user_id": mb.user_id,
                 "email": mb.email, "type": mb.type.value, "status": mb.status.value, **mb.details.__dict__}
                for i, mb in enumerate(account.members)
            ])

    async def ids_with_invitation_for(self, email: str) -> list[uuid.UUID]:
        m = tables.memberships
        rows = await self.session.execute(
            select(m.c.trade_account_id).distinct()
            .where(func.lower(m.c.email) == email.lower(), m.c.status == MemberStatus.INVITED.value,
                   m.c.user_id.is_(None))
        )
        return list(rows.scalars())

    async def ids_listing_user(self, user_id: uuid.UUID) -> list[uuid.UUID]:
        m = tables.memberships
        rows = await self.session.execute(select(m.c.trade_account_id).distinct().where(m.c.user_id == user_id))
        return list(rows.scalars())

    async def navigation(self, user_id: uuid.UUID) -> list[NavigationRow]:
        """Every account the user is an active member of, with the role, plus each one's hierarchy root."""
        t, m = tables.trade_accounts, tables.memberships
        rows = await self.session.execute(
            select(t.c.id, t.c.company_name, t.c.parent_id, m.c.type)
            .join(m, m.c.trade_account_id == t.c.id)
            .where(m.c.user_id == user_id, m.c.status == MemberStatus.ACTIVE.value, t.c.merged_into.is_(None))
            .order_by(t.c.company_name, t.c.id)
        )
        return [NavigationRow(r.id, r.company_name, r.parent_id, MemberType(r.type)) for r in rows]

    async def names_and_parents(self, ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[str, uuid.UUID | None]]:
        t = tables.trade_accounts
        rows = await self.session.execute(select(t.c.id, t.c.company_name, t.c.parent_id).where(t.c.id.in_(ids)))
        return {r.id: (r.company_name, r.parent_id) for r in rows}


@dataclass(frozen=True)
class NavigationRow:
    trade_account_id: uuid.UUID
    company_name: str
    parent_id: uuid.UUID | None
    role: MemberType


# The first key of trade-accounts' advisory locks on an email address (KnownUserRepository.hold_email).
_EMAIL_LOCK_SPACE = 0x7A0C


class KnownUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID) -> KnownUser | None:
        k = tables.known_users
        row = (await self.session.execute(select(k).where(k.c.user_id == user_id))).first()
        return self._from_row(row) if row else None

    async def by_email(self, email: str) -> KnownUser | None:
        row = (
            await self.session.execute(
                select(tables.known_users).where(func.lower(tables.known_users.c.email) == email.strip().lower())
            )
        ).first()
        return self._from_row(row) if row else None

    @staticmethod
    def _from_row(row: Any) -> KnownUser:
        details = _details(row) if row.first_name is not None else None
        return KnownUser(row.user_id, row.email, details)

    async def hold_email(self, email: str) -> None:
        """Until this transaction ends, nobody else adds this address to an account or learns of its user.

        Adding a member reads what is known of the address; learning of the user
        (registered, profile done) then looks for the memberships to follow. Each
        in its own transaction, they could miss each other (READ COMMITTED) and
        leave the member invited for good; taken in turn, the second sees the first.
        """
        await self.session.execute(
            text("select pg_advisory_xact_lock(:space, hashtext(:email))"),
            {"space": _EMAIL_LOCK_SPACE, "email": email.strip().lower()},
        )

    async def register(self, user_id: uuid.UUID, email: str) -> None:
        stmt = pg_insert(tables.known_users).values(user_id=user_id, email=email)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["user_id"], set_={"email": email}))

    async def update(self, user_id: uuid.UUID, **values: Any) -> bool:
        """Changes a known user; False if we never heard of them.

        A user's events share a partition, so their registration always comes
        first: an unknown user registered before this service kept a read model.
        """
        k = tables.known_users
        result = await self.session.execute(update(k).where(k.c.user_id == user_id).values(**values))
        return result.rowcount == 1


# A model's status is None until its first StatusChanged arrives: it counts, as an applicant does.
_IN_PROGRAM = or_(tables.security_models.c.status.is_(None),
                  tables.security_models.c.status.not_in(("withdrawn", "removed")))


class SecurityModelRepository:
    """The read model of ctpat's Security Models: where each one is, and its SCSS."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def created(self, model_id: uuid.UUID, trade_account_id: uuid.UUID) -> None:
        stmt = pg_insert(tables.security_models).values(id=model_id, trade_account_id=trade_account_id)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["id"],
                                                              set_={"trade_account_id": trade_account_id}))

    async def location(self, model_id: uuid.UUID) -> uuid.UUID | None:
        sm = tables.security_models
        return await self.session.scalar(select(sm.c.trade_account_id).where(sm.c.id == model_id))

    async def moved(self, model_ids: list[uuid.UUID], to_account: uuid.UUID) -> None:
        """The models, and the record of what they use, are now in `to_account`."""
        if model_ids:
            sm, u = tables.security_models, tables.security_model_usage
            await self.session.execute(update(sm).where(sm.c.id.in_(model_ids)).values(trade_account_id=to_account))
            await self.session.execute(
                update(u).where(u.c.security_model_id.in_(model_ids)).values(trade_account_id=to_account)
            )

    async def used_by(self, model_ids: list[uuid.UUID]) -> UsedEntries:
        u = tables.security_model_usage
        rows = (await self.session.execute(
            select(u.c.entry_kind, u.c.entry_id).where(u.c.security_model_id.in_(model_ids))
        )).all() if model_ids else []
        return UsedEntries(frozenset(r.entry_id for r in rows if r.entry_kind == "address"),
                           frozenset(r.entry_id for r in rows if r.entry_kind == "member"))

    async def move_all(
        self, from_account: uuid.UUID, to_account: uuid.UUID, renamed_members: dict[uuid.UUID, uuid.UUID]
    ) -> None:
        """A merge: the models now belong to the survivor, and use the survivor's membership of a person
        listed in both accounts."""
        sm, u = tables.security_models, tables.security_model_usage
        await self.session.execute(
            update(sm).where(sm.c.trade_account_id == from_account).values(trade_account_id=to_account)
        )
        await self.session.execute(
            update(u).where(u.c.trade_account_id == from_account).values(trade_account_id=to_account)
        )
        for old, new in renamed_members.items():
            await self.session.execute(
                update(u).where(u.c.trade_account_id == to_account, u.c.entry_kind == "member", u.c.entry_id == old)
                .values(entry_id=new)
            )

    async def scss_assigned(self, model_id: uuid.UUID, trade_account_id: uuid.UUID, scss_user_id: uuid.UUID) -> None:
        stmt = pg_insert(tables.security_models).values(
            id=model_id, trade_account_id=trade_account_id, scss_user_id=scss_user_id
        )
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["id"],
                                                              set_={"scss_user_id": scss_user_id}))

    async def uses(
        self, model_id: uuid.UUID, trade_account_id: uuid.UUID, entry_kind: str, entry_ids: list[uuid.UUID]
    ) -> None:
        """Replaces what the model uses of one kind: the event carries the whole list."""
        u = tables.security_model_usage
        await self.session.execute(delete(u).where(u.c.security_model_id == model_id, u.c.entry_kind == entry_kind))
        if entry_ids:
            await self.session.execute(insert(u), [
                {"security_model_id": model_id, "entry_kind": entry_kind, "entry_id": e,
                 "trade_account_id": trade_account_id} for e in dict.fromkeys(entry_ids)
            ])

    async def status_changed(self, model_id: uuid.UUID, trade_account_id: uuid.UUID, status: str) -> None:
        stmt = pg_insert(tables.security_models).values(id=model_id, trade_account_id=trade_account_id, status=status)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_={"status": status}))

    async def of_accounts(self, account_ids: list[uuid.UUID]) -> dict[uuid.UUID, set[uuid.UUID]]:
        """The Security Models each account holds in the program (withdrawn and removed ones no longer count)."""
        sm = tables.security_models
        rows = await self.session.execute(
            select(sm.c.id, sm.c.trade_account_id).where(sm.c.trade_account_id.in_(account_ids), _IN_PROGRAM)
        )
        found: dict[uuid.UUID, set[uuid.UUID]] = {a: set() for a in account_ids}
        for row in rows:
            found[row.trade_account_id].add(row.id)
        return found


def _approval_json(a: Approval) -> dict[str, Any]:
    return {
        "kind": a.kind.value, "trade_account_id": str(a.trade_account_id) if a.trade_account_id else None,
        "decision": a.decision.value if a.decision else None,
        "decided_by": str(a.decided_by) if a.decided_by else None,
        "decided_at": a.decided_at.isoformat() if a.decided_at else None, "reason": a.reason,
    }


def _approval_from(d: dict[str, Any]) -> Approval:
    return Approval(
        ApprovalKind(d["kind"]), uuid.UUID(d["trade_account_id"]) if d["trade_account_id"] else None,
        Decision(d["decision"]) if d["decision"] else None,
        uuid.UUID(d["decided_by"]) if d["decided_by"] else None,
        datetime.fromisoformat(d["decided_at"]) if d["decided_at"] else None, d["reason"],
    )


def _history_json(h: HistoryEntry) -> dict[str, Any]:
    return {"at": h.at.isoformat(), "by": str(h.by), "action": h.action, "detail": h.detail}


def _history_from(d: dict[str, Any]) -> HistoryEntry:
    return HistoryEntry(datetime.fromisoformat(d["at"]), uuid.UUID(d["by"]), d["action"], d["detail"])


class RequestRepository(AggregateRepository[TradeAccountRequest]):
    root = tables.account_requests
    stale_message = "The request was decided or changed by someone else meanwhile; reload and try again."

    def _values(self, r: TradeAccountRequest) -> dict[str, Any]:
        return {
            "kind": r.kind.value, "status": r.status.value, "requested_by": r.requested_by,
            "requested_at": r.requested_at, "requesting_account_id": r.requesting_account_id,
            "parent_id": r.parent_id, "subsidiary_id": r.subsidiary_id, "reason": r.reason,
            "new_company_name": r.new_company_name, "moving_security_model_ids": r.moving_security_model_ids,
            "approvals": [_approval_json(a) for a in r.approvals],
            "history": [_history_json(h) for h in r.history], "version": r.version,
        }

    def _from_row(self, row: Any) -> TradeAccountRequest:
        return self._loaded(TradeAccountRequest(
            id=row.id, kind=RequestKind(row.kind), requested_by=row.requested_by, requested_at=row.requested_at,
            requesting_account_id=row.requesting_account_id, parent_id=row.parent_id,
            subsidiary_id=row.subsidiary_id, reason=row.reason, status=RequestStatus(row.status),
            approvals=[_approval_from(a) for a in row.approvals], new_company_name=row.new_company_name,
            moving_security_model_ids=list(row.moving_security_model_ids),
            history=[_history_from(h) for h in row.history], version=row.version,
        ))

    async def _insert(self, request: TradeAccountRequest) -> None:
        await self.session.execute(insert(tables.account_requests).values(id=request.id, **self._values(request)))

    async def _update(self, request: TradeAccountRequest) -> None:
        await self.session.execute(
            update(tables.account_requests).where(tables.account_requests.c.id == request.id)
            .values(**self._values(request))
        )

    async def get(self, request_id: uuid.UUID) -> TradeAccountRequest | None:
        query = select(tables.account_requests).where(tables.account_requests.c.id == request_id)
        row = (await self.session.execute(query)).first()
        return self._from_row(row) if row else None

    async def pending_touching(self, account_ids: list[uuid.UUID]) -> list[TradeAccountRequest]:
        r = tables.account_requests
        rows = await self.session.execute(
            select(r).where(r.c.status == RequestStatus.PENDING.value)
            .where(r.c.parent_id.in_(account_ids) | r.c.subsidiary_id.in_(account_ids))
            .order_by(r.c.requested_at)
        )
        return [self._from_row(row) for row in rows]

    async def pending_maybe_needing_management(self) -> list[TradeAccountRequest]:
        """Pending requests Management may have to decide now (TA-11 is judged on today's facts, by the caller):
        those touching an account with a Security Model, splits moving one, and those already awaiting it."""
        r = tables.account_requests
        with_models = select(tables.security_models.c.trade_account_id).where(_IN_PROGRAM)
        rows = await self.session.execute(
            select(r).where(r.c.status == RequestStatus.PENDING.value)
            .where(
                r.c.parent_id.in_(with_models) | r.c.subsidiary_id.in_(with_models)
                | (func.cardinality(r.c.moving_security_model_ids) > 0)
                | r.c.approvals.contains([{"kind": ApprovalKind.MANAGEMENT.value, "decision": None}])
            )
            .order_by(r.c.requested_at)
        )
        return [self._from_row(row) for row in rows]

    async def made_by(self, user_id: uuid.UUID, touching: uuid.UUID | None = None) -> list[TradeAccountRequest]:
        r = tables.account_requests
        query = select(r).where(r.c.requested_by == user_id)
        if touching is not None:
            query = query.where((r.c.parent_id == touching) | (r.c.subsidiary_id == touching))
        rows = await self.session.execute(query.order_by(r.c.requested_at.desc()).limit(200))
        return [self._from_row(row) for row in rows]


class AccountFactsRepository:
    """What requests need to know of accounts: administrators, users, parent, ancestors, Security Models."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def facts(self, account_ids: list[uuid.UUID]) -> dict[uuid.UUID, AccountFacts]:
        t, m = tables.trade_accounts, tables.memberships
        rows = (await self.session.execute(
            select(t.c.id, t.c.company_name, t.c.parent_id).where(t.c.id.in_(account_ids), t.c.merged_into.is_(None))
        )).all()
        members = (await self.session.execute(
            select(m.c.trade_account_id, m.c.user_id, m.c.type)
            .where(m.c.trade_account_id.in_(account_ids), m.c.status == MemberStatus.ACTIVE.value)
        )).all()
        models = await SecurityModelRepository(self.session).of_accounts(account_ids)
        result = {}
        for row in rows:
            admins = frozenset(x.user_id for x in members
                               if x.trade_account_id == row.id and x.type == MemberType.COMPANY_ADMINISTRATOR.value)
            users = frozenset(x.user_id for x in members if x.trade_account_id == row.id)
            result[row.id] = AccountFacts(row.id, row.company_name, row.parent_id, admins, users,
                                          frozenset(models.get(row.id, ())), await self._ancestors(row.parent_id))
        return result

    async def _ancestors(self, parent_id: uuid.UUID | None) -> tuple[uuid.UUID, ...]:
        chain: list[uuid.UUID] = []
        t = tables.trade_accounts
        while parent_id is not None and parent_id not in chain:
            chain.append(parent_id)
            parent_id = await self.session.scalar(select(t.c.parent_id).where(t.c.id == parent_id))
        return tuple(chain)

    async def children(self, account_id: uuid.UUID) -> list[uuid.UUID]:
        t = tables.trade_accounts
        rows = await self.session.execute(select(t.c.id).where(t.c.parent_id == account_id, t.c.merged_into.is_(None)))
        return list(rows.scalars())


class MailRepository:
    """Mail queued in the request's transaction; the worker sends it (servicekit.mail)."""

    def __init__(self, session: AsyncSession) -> None:
        self.queue = MailQueue(session, tables.mail_outbox)

    async def enqueue(self, mail: InvitationMail, now: datetime) -> None:
        await self.queue.enqueue(Mail(mail.recipient, mail.subject, mail.body), now)
