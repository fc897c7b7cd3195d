"""All of svi's SQL. Repositories flush; the edge commits."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.reads import Query, Reads
from servicekit.store import AggregateRepository
from svi import tables
from svi.domain.monitoring import MonitoringRequest, Participant, RequestState, Transition


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


_PARTICIPANT = text(
    "select p.model_id, p.trade_account_id, coalesce(c.company_name, '') as company_name, p.status, p.svi_signed,"
    " p.contacts, p.scss_user_id, p.certified"
    " from participants p left join companies c on c.trade_account_id = p.trade_account_id where p.model_id = :id"
)


def _participant(row: Mapping[str, Any]) -> Participant:
    return Participant(row["model_id"], row["trade_account_id"], row["company_name"], row["status"],
                       row["svi_signed"], row["certified"])


@dataclass(frozen=True)
class Acting:
    """A model and who may act for it: its contacts' users (through active memberships) and its SCSS."""

    participant: Participant
    contact_user_ids: frozenset[uuid.UUID]
    scss_user_id: uuid.UUID | None


class ParticipantRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def acting(self, model_id: uuid.UUID) -> Acting | None:
        row = (await self.session.execute(_PARTICIPANT, {"id": model_id})).first()
        if row is None:
            return None
        m = row._mapping
        member_ids = [uuid.UUID(x) for x in _json(m["contacts"])]
        users = set()
        if member_ids:
            t = tables.members
            users = {r.user_id for r in await self.session.execute(
                select(t.c.user_id).where(t.c.trade_account_id == m["trade_account_id"],
                                          t.c.member_id.in_(member_ids), t.c.status == "active",
                                          t.c.user_id.is_not(None)))}
        return Acting(_participant(m), frozenset(users), m["scss_user_id"])

    async def get(self, model_id: uuid.UUID) -> Participant | None:
        row = (await self.session.execute(_PARTICIPANT, {"id": model_id})).first()
        return _participant(row._mapping) if row is not None else None

    async def upsert(self, model_id: uuid.UUID, trade_account_id: uuid.UUID, **values: Any) -> None:
        t = tables.participants
        await self.session.execute(
            pg_insert(t).values(model_id=model_id, trade_account_id=trade_account_id, **values)
            .on_conflict_do_update(index_elements=["model_id"],
                                   set_={"trade_account_id": trade_account_id, **values}))

    async def company_named(self, trade_account_id: uuid.UUID, name: str) -> None:
        t = tables.companies
        await self.session.execute(pg_insert(t).values(trade_account_id=trade_account_id, company_name=name)
                                   .on_conflict_do_update(index_elements=["trade_account_id"],
                                                          set_={"company_name": name}))

    async def member(self, trade_account_id: uuid.UUID, member_id: uuid.UUID, user_id: uuid.UUID | None,
                     status: str, *, email: str, name: str) -> None:
        t = tables.members
        values = {"user_id": user_id, "status": status, "email": email, "name": name}
        await self.session.execute(
            pg_insert(t).values(trade_account_id=trade_account_id, member_id=member_id, **values)
            .on_conflict_do_update(index_elements=["trade_account_id", "member_id"], set_=values))

    async def models_of_account(self, trade_account_id: uuid.UUID) -> list[uuid.UUID]:
        t = tables.participants
        rows = await self.session.execute(select(t.c.model_id).where(t.c.trade_account_id == trade_account_id)
                                          .order_by(t.c.model_id))
        return [r.model_id for r in rows]

    async def settings(self, model_id: uuid.UUID) -> tuple[bool, bool]:
        """(auto_accept, share_more); both off until the model's contacts turn them on."""
        t = tables.svi_settings
        row = (await self.session.execute(select(t.c.auto_accept, t.c.share_more)
                                          .where(t.c.model_id == model_id))).first()
        return (row.auto_accept, row.share_more) if row else (False, False)

    async def save_settings(self, model_id: uuid.UUID, *, auto_accept: bool, share_more: bool) -> None:
        t = tables.svi_settings
        values = {"auto_accept": auto_accept, "share_more": share_more}
        await self.session.execute(pg_insert(t).values(model_id=model_id, **values)
                                   .on_conflict_do_update(index_elements=["model_id"], set_=values))

    async def member_removed(self, trade_account_id: uuid.UUID, member_id: uuid.UUID) -> None:
        t = tables.members
        await self.session.execute(delete(t).where(t.c.trade_account_id == trade_account_id,
                                                   t.c.member_id == member_id))


def _request(row: Mapping[str, Any]) -> MonitoringRequest:
    return MonitoringRequest(
        row["id"], row["monitored_model_id"], row["monitoring_model_id"], RequestState(row["state"]),
        [Transition(RequestState(h["state"]), datetime.fromisoformat(h["at"]),
                    uuid.UUID(h["by"]) if h["by"] else None, h.get("note")) for h in _json(row["history"])],
        row["version"],
    )


def _request_values(r: MonitoringRequest) -> dict[str, Any]:
    return {"monitored_model_id": r.monitored_model_id, "monitoring_model_id": r.monitoring_model_id,
            "state": r.state.value, "version": r.version,
            "history": [{"state": h.state.value, "at": h.at.isoformat(), "by": str(h.by) if h.by else None,
                         "note": h.note} for h in r.history]}


class RequestRepository(AggregateRepository[MonitoringRequest]):
    root = tables.monitoring_requests
    stale_message = "The request was changed by someone else meanwhile; reload and try again."
    unique_fields = {"one_listed_request_per_pair": "monitoring_security_model_ids"}

    async def get(self, request_id: uuid.UUID) -> MonitoringRequest | None:
        t = tables.monitoring_requests
        row = (await self.session.execute(select(t).where(t.c.id == request_id))).first()
        return self._loaded(_request(row._mapping)) if row is not None else None

    async def listed_between(self, monitored: uuid.UUID, monitoring: uuid.UUID) -> MonitoringRequest | None:
        t = tables.monitoring_requests
        row = (await self.session.execute(select(t).where(
            t.c.monitored_model_id == monitored, t.c.monitoring_model_id == monitoring, t.c.state != "ended",
        ))).first()
        return self._loaded(_request(row._mapping)) if row is not None else None

    async def listed_of(self, model_id: uuid.UUID) -> list[MonitoringRequest]:
        """Every request still on a list that involves the model, on either side (SV-02)."""
        t = tables.monitoring_requests
        rows = await self.session.execute(select(t).where(
            (t.c.monitored_model_id == model_id) | (t.c.monitoring_model_id == model_id), t.c.state != "ended"))
        return [self._loaded(_request(r._mapping)) for r in rows]

    async def _insert(self, request: MonitoringRequest) -> None:
        await self.session.execute(insert(tables.monitoring_requests).values(id=request.id,
                                                                             **_request_values(request)))

    async def _update(self, request: MonitoringRequest) -> None:
        await self.session.execute(update(tables.monitoring_requests)
                                   .where(tables.monitoring_requests.c.id == request.id)
                                   .values(**_request_values(request)))


@dataclass(frozen=True)
class ListRow:
    request_id: uuid.UUID
    partner_model_id: uuid.UUID
    company_name: str
    state: str
    partner_status: str | None
    partner_certified: bool
    since: datetime
    shares_more: bool = False  # the partner opted in to show its tier and point of contact
    poc_name: str | None = None
    poc_email: str | None = None


class SviReads:
    """Search and the two lists, each one statement (servicekit.reads)."""

    # SV-04: participants only (signed, Certified or above). Two steps, each fast at 50,000 companies
    # (`make bench svi`): names beginning with what was typed, then, when those are fewer than asked, near misses
    # for typos. One statement doing both scanned thousands of weak trigram matches per query (p95 200 ms).
    _PARTICIPANT_FILTER = "p.svi_signed and p.certified and p.model_id <> :me"
    # The beginning as a range of the byte-ordered ("C") lower-cased name: a btree index scan in order that
    # stops after `limit` rows, however many names begin so ("Cascade": 2,500).
    PREFIX = Query(text(
        "select p.model_id, c.company_name, p.business_types"
        " from companies c join participants p on p.trade_account_id = c.trade_account_id"
        " where lower(c.company_name) collate \"C\" >= :low and lower(c.company_name) collate \"C\" < :high"
        " and " + _PARTICIPANT_FILTER + " order by lower(c.company_name) collate \"C\" limit :limit"
    ))
    # Near misses: names holding a run of words like what was typed (pg_trgm's word similarity, served by the
    # GIN trigram index), best first. Distance over whole names (GiST KNN) took 15 ms a typo at 50,000 names.
    NEAR = Query(text(
        "select p.model_id, c.company_name, p.business_types"
        " from companies c join participants p on p.trade_account_id = c.trade_account_id"
        " where lower(:q) <% lower(c.company_name) and " + _PARTICIPANT_FILTER +
        " order by word_similarity(lower(:q), lower(c.company_name)) desc, c.company_name limit :limit"
    ))
    _LIST = (
        "select r.id, r.state, r.history, p.model_id as partner_model_id,"
        " coalesce(c.company_name, '') as company_name, p.status as partner_status, p.certified as partner_certified,"
        " coalesce(s.share_more, false) as shares_more, poc.name as poc_name, poc.email as poc_email"
        " from monitoring_requests r join participants p on p.model_id = r.{partner}"
        " left join companies c on c.trade_account_id = p.trade_account_id"
        " left join svi_settings s on s.model_id = p.model_id"
        " left join members poc on poc.trade_account_id = p.trade_account_id and poc.member_id = p.primary_poc"
        " where r.{me} = :me and r.state = any(:states) order by c.company_name limit 1000"
    )
    MONITORING_YOU = Query(text(_LIST.format(partner="monitoring_model_id", me="monitored_model_id")))
    YOU_MONITOR = Query(text(_LIST.format(partner="monitored_model_id", me="monitoring_model_id")))

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    async def search(self, me: uuid.UUID, q: str, limit: int = 25) -> list[tuple[uuid.UUID, str, list[str]]]:
        low = q.lower()
        rows = list(await self.reads.all(self.PREFIX, low=low, high=low + "\U0010ffff", me=me,
                                         limit=limit))
        if len(rows) < limit:
            seen = {r["model_id"] for r in rows}
            near = await self.reads.all(self.NEAR, q=q, me=me, limit=limit)
            rows += [r for r in near if r["model_id"] not in seen][: limit - len(rows)]
        return [(r["model_id"], r["company_name"], list(_json(r["business_types"]))) for r in rows]

    async def monitoring_you(self, me: uuid.UUID, states: list[str]) -> list[ListRow]:
        return [self._row(r) for r in await self.reads.all(self.MONITORING_YOU, me=me, states=states)]

    async def you_monitor(self, me: uuid.UUID, states: list[str]) -> list[ListRow]:
        return [self._row(r) for r in await self.reads.all(self.YOU_MONITOR, me=me, states=states)]

    @staticmethod
    def _row(r: Mapping[str, Any]) -> ListRow:
        last = _json(r["history"])[-1]
        return ListRow(r["id"], r["partner_model_id"], r["company_name"], r["state"], r["partner_status"],
                       r["partner_certified"], datetime.fromisoformat(last["at"]), r["shares_more"], r["poc_name"],
                       r["poc_email"])
