"""All of ctpat's SQL. Repositories flush; the edge commits."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ctpat import tables
from ctpat.domain.annual_review import AnnualReview, ReviewState
from ctpat.domain.operations import ModelOperation, OperationKind, OperationStatus
from ctpat.domain.security_model import (
    AgreementKind,
    Contact,
    ContactType,
    EntityIdentifier,
    ModelBusinessType,
    ProfileAddress,
    SecurityModel,
    Signature,
    Status,
    StatusEntry,
)
from ctpat.domain.security_profile import ApprovedResponse, CriterionResponse, Evidence
from ctpat.domain.trade_accounts import AccountAddress, AccountMember, KnownTradeAccount
from ctpat.domain.validation import ItemKind, ResponseState, Validation, ValidationItem, ValidationResult
from servicekit.reads import Query, Reads
from servicekit.store import AggregateRepository, StaleAggregate

# The model row with its status history as JSON: one round trip.
_LOAD_MODEL = text(
    "select m.*,"
    " (select coalesce(json_agg(h order by h.seq), '[]') from status_history h"
    "   where h.security_model_id = m.id) as history_rows,"
    " (select coalesce(json_agg(s order by s.seq), '[]') from agreements s"
    "   where s.security_model_id = m.id) as signature_rows,"
    " (select coalesce(json_agg(r order by r.review_year), '[]') from annual_reviews r"
    "   where r.security_model_id = m.id) as review_rows"
    " from security_models m where m.id = :id"
)


def _model_from_row(row: Mapping[str, Any]) -> SecurityModel:
    return SecurityModel(
        id=row["id"],
        trade_account_id=row["trade_account_id"],
        catalogue_version=row["catalogue_version"],
        business_types=[
            ModelBusinessType(t["code"], t["sub_type"], t["account_number"], t["eligibility_answers"])
            for t in row["business_types"]
        ],
        identifiers=[EntityIdentifier(i["kind"], i["value"]) for i in row["identifiers"]],
        addresses=[ProfileAddress(uuid.UUID(a["address_id"]), a["primary"], a["mailing"]) for a in row["addresses"]],
        contacts=[Contact(uuid.UUID(c["member_id"]), ContactType(c["type"]), c["primary_poc"])
                  for c in row["contacts"]],
        status=Status(row["status"]),
        history=[
            StatusEntry(Status(h["status"]), Status(h["previous_status"]) if h["previous_status"] else None,
                        datetime.fromisoformat(h["at"]), uuid.UUID(h["by_user_id"]), h["reason"],
                        _date(h["anniversary_date"]))
            for h in _json(row["history_rows"])
        ],
        created_at=row["created_at"],
        created_by=row["created_by"],
        scss_user_id=row["scss_user_id"],
        signatures=[
            Signature(AgreementKind(r["agreement"]), r["agreement_version"], uuid.UUID(r["signed_by"]),
                      r["signer_name"], datetime.fromisoformat(r["signed_at"]),
                      uuid.UUID(r["revoked_by"]) if r["revoked_by"] else None,
                      datetime.fromisoformat(r["revoked_at"]) if r["revoked_at"] else None)
            for r in _json(row["signature_rows"])
        ],
        anniversary_date=row["anniversary_date"],
        profile_submitted=row["profile_submitted"],
        reviews=[
            AnnualReview(r["review_year"], date.fromisoformat(r["opens_on"]), date.fromisoformat(r["due_date"]),
                         ReviewState(r["state"]), _instant(r["submitted_at"]), _uuid(r["submitted_by"]),
                         _instant(r["approved_at"]), _uuid(r["approved_by"]))
            for r in _json(row["review_rows"])
        ],
        next_review_opens=row["next_review_opens"],
        earmarked_for_withdrawal=row["earmarked_for_withdrawal"],
        version=row["version"],
    )


def _json(value: Any) -> Any:
    # JSON built by the statement arrives decoded through either driver setup; a str is still JSON text.
    return json.loads(value) if isinstance(value, str) else value


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _uuid(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _model_values(model: SecurityModel) -> dict[str, Any]:
    return {
        "trade_account_id": model.trade_account_id,
        "catalogue_version": model.catalogue_version,
        "status": model.status.value,
        "scss_user_id": model.scss_user_id,
        "business_types": [
            {"code": t.code, "sub_type": t.sub_type, "account_number": t.account_number,
             "eligibility_answers": dict(t.eligibility_answers)}
            for t in model.business_types
        ],
        "identifiers": [{"kind": i.kind, "value": i.value} for i in model.identifiers],
        "addresses": [{"address_id": str(a.address_id), "primary": a.primary, "mailing": a.mailing}
                      for a in model.addresses],
        "contacts": [{"member_id": str(c.member_id), "type": c.type.value, "primary_poc": c.primary_poc}
                     for c in model.contacts],
        "anniversary_date": model.anniversary_date,
        "profile_submitted": model.profile_submitted,
        "next_review_opens": model.next_review_opens,
        "earmarked_for_withdrawal": model.earmarked_for_withdrawal,
        "version": model.version,
    }


class SecurityModelReads:
    """Reading Security Models to show, not to change (servicekit.reads)."""

    LOAD = Query(_LOAD_MODEL)
    OF_ACCOUNT = Query(text("select id from security_models where trade_account_id = :trade_account_id"
                            " order by created_at"))

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    async def get(self, model_id: uuid.UUID) -> SecurityModel | None:
        row = await self.reads.one(self.LOAD, id=model_id)
        return _model_from_row(row) if row is not None else None

    async def ids_of_account(self, trade_account_id: uuid.UUID) -> list[uuid.UUID]:
        return [r["id"] for r in await self.reads.all(self.OF_ACCOUNT, trade_account_id=trade_account_id)]


class SecurityModelRepository(AggregateRepository[SecurityModel]):
    root = tables.security_models
    stale_message = "The Security Model was changed by someone else meanwhile; reload and try again."

    async def get(self, model_id: uuid.UUID) -> SecurityModel | None:
        row = (await self.session.execute(_LOAD_MODEL, {"id": model_id})).first()
        return self._loaded(_model_from_row(row._mapping)) if row is not None else None

    async def next_account_number(self) -> str:
        """CT-03: a C-TPAT account number, one per business type, never reused."""
        number = (await self.session.execute(select(tables.account_numbers.next_value()))).scalar_one()
        return f"CTP{number:07d}"

    async def _insert(self, model: SecurityModel) -> None:
        await self.session.execute(insert(tables.security_models).values(
            id=model.id, created_at=model.created_at, created_by=model.created_by, **_model_values(model)))
        await self._append_history(model, already=0)
        await self._save_signatures(model, stored=0)
        await self._save_reviews(model)

    async def _update(self, model: SecurityModel) -> None:
        await self.session.execute(
            update(tables.security_models).where(tables.security_models.c.id == model.id).values(
                **_model_values(model))
        )
        already = (await self.session.execute(
            select(func.count()).select_from(tables.status_history)
            .where(tables.status_history.c.security_model_id == model.id)
        )).scalar_one()
        await self._append_history(model, already=already)
        stored = (await self.session.execute(
            select(func.count()).select_from(tables.agreements)
            .where(tables.agreements.c.security_model_id == model.id)
        )).scalar_one()
        await self._save_signatures(model, stored=stored)
        await self._save_reviews(model)

    async def _save_reviews(self, model: SecurityModel) -> None:
        t = tables.annual_reviews
        for review in model.reviews:
            values = {"opens_on": review.opens_on, "due_date": review.due_date, "state": review.state.value,
                      "submitted_at": review.submitted_at, "submitted_by": review.submitted_by,
                      "approved_at": review.approved_at, "approved_by": review.approved_by}
            await self.session.execute(
                pg_insert(t).values(security_model_id=model.id, review_year=review.review_year, **values)
                .on_conflict_do_update(index_elements=["security_model_id", "review_year"], set_=values))

    _DUE_FOR_REVIEW = text(
        "select id from security_models where next_review_opens <= :today"
        " and status in ('certified', 'certified_validated', 'certified_exceeding',"
        " 'certified_non_importer_validated') order by next_review_opens limit :limit"
    )

    async def due_for_review(self, today: date, limit: int) -> list[uuid.UUID]:
        """CT-13: models whose next annual review window opens today or opened already."""
        rows = await self.session.execute(self._DUE_FOR_REVIEW, {"today": today, "limit": limit})
        return [r.id for r in rows]

    async def _save_signatures(self, model: SecurityModel, *, stored: int) -> None:
        """CT-11: a signature is inserted once and kept; only a revocation is ever added to it."""
        t = tables.agreements
        for seq, signature in enumerate(model.signatures, start=1):
            values = {"revoked_by": signature.revoked_by, "revoked_at": signature.revoked_at}
            if seq > stored:
                await self.session.execute(insert(t).values(
                    security_model_id=model.id, seq=seq, agreement=signature.agreement.value,
                    agreement_version=signature.agreement_version, signed_by=signature.signed_by,
                    signer_name=signature.signer_name, signed_at=signature.signed_at, **values))
            elif signature.revoked_at is not None:
                await self.session.execute(update(t).where(
                    t.c.security_model_id == model.id, t.c.seq == seq, t.c.revoked_at.is_(None)).values(**values))

    async def _append_history(self, model: SecurityModel, *, already: int) -> None:
        """CT-14: history rows are only ever inserted (the table refuses UPDATE and DELETE)."""
        new = model.history[already:]
        if not new:
            return
        await self.session.execute(insert(tables.status_history), [
            {"security_model_id": model.id, "seq": already + i + 1, "status": e.status.value,
             "previous_status": e.previous.value if e.previous else None, "at": e.at, "by_user_id": e.by,
             "reason": e.reason, "anniversary_date": e.anniversary_date}
            for i, e in enumerate(new)
        ])


def _response(row: Mapping[str, Any]) -> CriterionResponse:
    return CriterionResponse(row["criterion_id"], row["text"], row["not_applicable"], row["reason"],
                             row["revision"], row["updated_by"], row["updated_at"])


def _evidence(rows) -> dict[str, list[Evidence]]:
    found: dict[str, list[Evidence]] = {}
    for r in rows:
        found.setdefault(r["criterion_id"], []).append(
            Evidence(r["document_id"], r["criterion_id"], r["title"], r["uploaded_at"]))
    return found


class ProfileRepository:
    """CT-08: criterion responses, saved one at a time, each at the revision it was read."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def response(self, model_id: uuid.UUID, criterion_id: str) -> CriterionResponse | None:
        t = tables.criterion_responses
        row = (await self.session.execute(
            select(t).where(t.c.security_model_id == model_id, t.c.criterion_id == criterion_id))).first()
        return _response(row._mapping) if row is not None else None

    async def save(self, model_id: uuid.UUID, response: CriterionResponse) -> None:
        """Inserts revision 1, or moves the row from the revision before; a lost race is a 409."""
        t = tables.criterion_responses
        values = {"text": response.text, "not_applicable": response.not_applicable, "reason": response.reason,
                  "revision": response.revision, "updated_by": response.updated_by,
                  "updated_at": response.updated_at}
        if response.revision == 1:
            saved = (await self.session.execute(
                pg_insert(t).values(security_model_id=model_id, criterion_id=response.criterion_id, **values)
                .on_conflict_do_nothing())).rowcount
        else:
            saved = (await self.session.execute(update(t).where(
                t.c.security_model_id == model_id, t.c.criterion_id == response.criterion_id,
                t.c.revision == response.revision - 1).values(**values))).rowcount
        if saved != 1:
            raise StaleAggregate("Someone saved this criterion's response meanwhile; reload it and try again.")

    _APPROVE_CHANGED = text(
        "insert into approved_responses"
        " (security_model_id, criterion_id, version, text, not_applicable, reason, approved_at, approved_by)"
        " select r.security_model_id, r.criterion_id, coalesce(a.version, 0) + 1, r.text, r.not_applicable,"
        "        r.reason, :now, :approver"
        " from criterion_responses r left join lateral ("
        "   select * from approved_responses p where p.security_model_id = r.security_model_id"
        "   and p.criterion_id = r.criterion_id order by p.version desc limit 1) a on true"
        " where r.security_model_id = :id and (a.version is null or a.text is distinct from r.text"
        "   or a.not_applicable <> r.not_applicable or a.reason is distinct from r.reason)"
    )

    _COPY = text(
        "insert into criterion_responses"
        " (security_model_id, criterion_id, text, not_applicable, reason, revision, updated_by, updated_at)"
        " select :to_id, criterion_id, text, not_applicable, reason, 1, updated_by, updated_at"
        " from criterion_responses where security_model_id = :from_id and criterion_id = any(:ids)"
        " on conflict do nothing"
    )
    _COPY_EVIDENCE = text(
        "insert into evidence_documents (document_id, security_model_id, criterion_id, title, uploaded_at)"
        " select document_id, :to_id, criterion_id, title, uploaded_at"
        " from evidence_documents where security_model_id = :from_id and criterion_id = any(:ids)"
        " on conflict do nothing"
    )

    async def copy(self, from_id: uuid.UUID, to_id: uuid.UUID, criterion_ids: list[str]) -> None:
        """CT-17..CT-19: responses and evidence of these criteria follow into another model (none overwritten)."""
        params = {"from_id": from_id, "to_id": to_id, "ids": criterion_ids}
        await self.session.execute(self._COPY, params)
        await self.session.execute(self._COPY_EVIDENCE, params)

    async def approve_changed(self, model_id: uuid.UUID, approver: uuid.UUID, now: datetime) -> int:
        """CT-12: each approval keeps a new version of each response changed since the last one."""
        result = await self.session.execute(self._APPROVE_CHANGED, {"id": model_id, "approver": approver, "now": now})
        return result.rowcount


class EvidenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def uploaded(self, document_id: uuid.UUID, model_id: uuid.UUID, criterion_id: str, title: str,
                       uploaded_at: datetime) -> None:
        t = tables.evidence_documents
        await self.session.execute(
            pg_insert(t).values(document_id=document_id, security_model_id=model_id, criterion_id=criterion_id,
                                title=title, uploaded_at=uploaded_at)
            .on_conflict_do_update(index_elements=["document_id", "security_model_id"], set_={"title": title})
        )

    async def removed(self, document_id: uuid.UUID) -> None:
        """Every model's row: evidence copied into another model (CT-17..CT-19) names the same document."""
        await self.session.execute(delete(tables.evidence_documents)
                                   .where(tables.evidence_documents.c.document_id == document_id))


class StaffRepository:
    """CBP staff as identity's events told ctpat (CT-12: only a known SCSS is assigned)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def registered(self, user_id: uuid.UUID, email: str, roles: list[str]) -> None:
        t = tables.known_staff
        await self.session.execute(pg_insert(t).values(user_id=user_id, email=email, roles=roles)
                                   .on_conflict_do_update(index_elements=["user_id"],
                                                          set_={"email": email, "roles": roles}))

    async def email_changed(self, user_id: uuid.UUID, email: str) -> None:
        t = tables.known_staff
        await self.session.execute(update(t).where(t.c.user_id == user_id).values(email=email))

    async def roles(self, user_id: uuid.UUID) -> list[str] | None:
        t = tables.known_staff
        return (await self.session.execute(select(t.c.roles).where(t.c.user_id == user_id))).scalar_one_or_none()


class AffirmationRepository:
    """CT-13: which statements the Officer affirmed for a year's review."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def affirm(self, model_id: uuid.UUID, year: int, criterion_id: str, by: uuid.UUID, at: datetime) -> None:
        t = tables.review_affirmations
        await self.session.execute(pg_insert(t).values(
            security_model_id=model_id, review_year=year, criterion_id=criterion_id, affirmed_by=by, affirmed_at=at,
        ).on_conflict_do_nothing())

    async def withdraw(self, model_id: uuid.UUID, year: int, criterion_id: str) -> None:
        t = tables.review_affirmations
        await self.session.execute(delete(t).where(
            t.c.security_model_id == model_id, t.c.review_year == year, t.c.criterion_id == criterion_id))

    async def affirmed(self, model_id: uuid.UUID, year: int) -> set[str]:
        t = tables.review_affirmations
        rows = await self.session.execute(select(t.c.criterion_id).where(
            t.c.security_model_id == model_id, t.c.review_year == year))
        return {r.criterion_id for r in rows}


class StaffReads:
    """CBP staff by id, to name them where a model records them (the Summary)."""

    EMAILS = Query(select(tables.known_staff.c.user_id, tables.known_staff.c.email)
                   .where(tables.known_staff.c.user_id == func.any(bindparam("ids"))))

    # CT-12: the staff of one role Management picks from, by email; `email` is an ILIKE pattern (or null).
    WITH_ROLE = Query(text(
        "select user_id, email, roles, count(*) over () as total from known_staff"
        " where cast(:role as text) = any(roles)"
        " and (cast(:email as text) is null or email ilike cast(:email as text) escape '\\')"
        " and (cast(:user_id as uuid) is null or user_id = cast(:user_id as uuid))"
        " order by email, user_id limit :limit offset :offset"
    ))

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    async def emails(self, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not user_ids:
            return {}
        return {r["user_id"]: r["email"] for r in await self.reads.all(self.EMAILS, ids=list(user_ids))}

    async def with_role(
        self, role: str, *, email_contains: str | None, user_id: uuid.UUID | None, limit: int, offset: int,
    ) -> tuple[list[KnownStaff], int]:
        """One page of the staff holding `role`, by email, and how many there are in all."""
        pattern = None
        if email_contains:
            escaped = email_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
        found = {"role": role, "email": pattern, "user_id": user_id}
        rows = await self.reads.all(self.WITH_ROLE, **found, limit=limit, offset=offset)
        total = rows[0]["total"] if rows else 0
        if not rows and offset:
            # A page past the end: the total still says how many there are.
            counted = await self.reads.all(self.WITH_ROLE, **found, limit=1, offset=0)
            total = counted[0]["total"] if counted else 0
        return [KnownStaff(r["user_id"], r["email"], list(r["roles"])) for r in rows], total


@dataclass(frozen=True)
class KnownStaff:
    """A CBP staff member as identity's events told ctpat."""

    user_id: uuid.UUID
    email: str
    roles: list[str]


class ProfileReads:
    """The Security Profile read to show (servicekit.reads)."""

    RESPONSES = Query(select(tables.criterion_responses)
                      .where(tables.criterion_responses.c.security_model_id == bindparam("id")))
    EVIDENCE = Query(select(tables.evidence_documents)
                     .where(tables.evidence_documents.c.security_model_id == bindparam("id"))
                     .order_by(tables.evidence_documents.c.uploaded_at))

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    async def responses(self, model_id: uuid.UUID) -> dict[str, CriterionResponse]:
        return {r["criterion_id"]: _response(r) for r in await self.reads.all(self.RESPONSES, id=model_id)}

    async def evidence(self, model_id: uuid.UUID) -> dict[str, list[Evidence]]:
        return _evidence(await self.reads.all(self.EVIDENCE, id=model_id))

    VERSIONS = Query(select(tables.approved_responses).where(
        tables.approved_responses.c.security_model_id == bindparam("id"),
        tables.approved_responses.c.criterion_id == bindparam("criterion_id"),
    ).order_by(tables.approved_responses.c.version.desc()))

    AFFIRMED = Query(select(tables.review_affirmations.c.review_year, tables.review_affirmations.c.criterion_id)
                     .where(tables.review_affirmations.c.security_model_id == bindparam("id")))

    async def affirmations(self, model_id: uuid.UUID) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        for r in await self.reads.all(self.AFFIRMED, id=model_id):
            found.setdefault(r["review_year"], set()).add(r["criterion_id"])
        return found

    async def approved_versions(self, model_id: uuid.UUID, criterion_id: str) -> list[ApprovedResponse]:
        return [ApprovedResponse(r["criterion_id"], r["version"], r["text"], r["not_applicable"], r["reason"],
                                 r["approved_at"], r["approved_by"])
                for r in await self.reads.all(self.VERSIONS, id=model_id, criterion_id=criterion_id)]


class TradeAccountReadModel:
    """Trade Accounts as their events told ctpat (TA-16, CT-04, CT-05)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, trade_account_id: uuid.UUID) -> KnownTradeAccount | None:
        account = (await self.session.execute(
            select(tables.known_trade_accounts)
            .where(tables.known_trade_accounts.c.trade_account_id == trade_account_id)
        )).first()
        if account is None:
            return None
        members = (await self.session.execute(
            select(tables.account_members).where(tables.account_members.c.trade_account_id == trade_account_id)
        )).all()
        addresses = (await self.session.execute(
            select(tables.account_addresses).where(tables.account_addresses.c.trade_account_id == trade_account_id)
        )).all()
        return KnownTradeAccount(
            trade_account_id, account.company_name,
            members={m.member_id: _member(m._mapping) for m in members},
            addresses={a.address_id: _address(a._mapping) for a in addresses},
        )

    async def account_created(self, trade_account_id: uuid.UUID, company_name: str) -> None:
        await self.session.execute(
            pg_insert(tables.known_trade_accounts)
            .values(trade_account_id=trade_account_id, company_name=company_name)
            .on_conflict_do_update(index_elements=["trade_account_id"], set_={"company_name": company_name})
        )

    async def member_upserted(self, trade_account_id: uuid.UUID, member: AccountMember) -> None:
        values = {k: v for k, v in member.__dict__.items()}
        await self.session.execute(
            pg_insert(tables.account_members).values(trade_account_id=trade_account_id, **values)
            .on_conflict_do_update(index_elements=["trade_account_id", "member_id"], set_=values)
        )

    async def member_removed(self, trade_account_id: uuid.UUID, member_id: uuid.UUID) -> None:
        await self.session.execute(delete(tables.account_members).where(
            tables.account_members.c.trade_account_id == trade_account_id,
            tables.account_members.c.member_id == member_id,
        ))

    async def address_upserted(self, trade_account_id: uuid.UUID, address: AccountAddress) -> None:
        values = {k: v for k, v in address.__dict__.items()}
        await self.session.execute(
            pg_insert(tables.account_addresses).values(trade_account_id=trade_account_id, **values)
            .on_conflict_do_update(index_elements=["trade_account_id", "address_id"], set_=values)
        )

    async def address_removed(self, trade_account_id: uuid.UUID, address_id: uuid.UUID) -> None:
        await self.session.execute(delete(tables.account_addresses).where(
            tables.account_addresses.c.trade_account_id == trade_account_id,
            tables.account_addresses.c.address_id == address_id,
        ))

    async def user_email_changed(self, user_id: uuid.UUID, email: str) -> None:
        """ID-09: a user's new email reaches every membership ctpat knows of them."""
        await self.session.execute(
            update(tables.account_members).where(tables.account_members.c.user_id == user_id).values(email=email)
        )


_MEMBER_FIELDS = ("member_id", "user_id", "email", "first_name", "last_name", "title", "phone", "type", "status")
_ADDRESS_FIELDS = ("address_id", "type", "street_line_1", "street_line_2", "city", "country", "state",
                   "postal_code")


def _member(row: Mapping[str, Any]) -> AccountMember:
    return AccountMember(*(row[f] for f in _MEMBER_FIELDS))


def _address(row: Mapping[str, Any]) -> AccountAddress:
    return AccountAddress(*(row[f] for f in _ADDRESS_FIELDS))


class TradeAccountReads:
    """The read model, read to show (servicekit.reads)."""

    ACCOUNT = Query(select(tables.known_trade_accounts)
                    .where(tables.known_trade_accounts.c.trade_account_id == bindparam("id")))
    MEMBERS = Query(select(tables.account_members).where(tables.account_members.c.trade_account_id == bindparam("id")))
    ADDRESSES = Query(select(tables.account_addresses)
                      .where(tables.account_addresses.c.trade_account_id == bindparam("id")))

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    async def get(self, trade_account_id: uuid.UUID) -> KnownTradeAccount | None:
        account = await self.reads.one(self.ACCOUNT, id=trade_account_id)
        if account is None:
            return None
        members = await self.reads.all(self.MEMBERS, id=trade_account_id)
        addresses = await self.reads.all(self.ADDRESSES, id=trade_account_id)
        return KnownTradeAccount(
            trade_account_id, account["company_name"],
            members={m["member_id"]: _member(m) for m in members},
            addresses={a["address_id"]: _address(a) for a in addresses},
        )


def _validation(row: Mapping[str, Any]) -> Validation:
    return Validation(
        id=row["id"], security_model_id=row["security_model_id"], validation_date=row["validation_date"],
        result=ValidationResult(row["result"]), report=row["report"],
        items=[ValidationItem(uuid.UUID(i["id"]), ItemKind(i["kind"]), i["text"], i["reply"], _uuid(i["replied_by"]),
                              _instant(i["replied_at"])) for i in _json(row["items"])],
        recorded_by=row["recorded_by"], recorded_at=row["recorded_at"],
        response_state=ResponseState(row["response_state"]), submitted_by=row["submitted_by"],
        submitted_at=row["submitted_at"], version=row["version"],
    )


def _validation_values(v: Validation) -> dict[str, Any]:
    return {
        "security_model_id": v.security_model_id, "validation_date": v.validation_date, "result": v.result.value,
        "report": v.report, "recorded_by": v.recorded_by, "recorded_at": v.recorded_at,
        "items": [{"id": str(i.id), "kind": i.kind.value, "text": i.text, "reply": i.reply,
                   "replied_by": str(i.replied_by) if i.replied_by else None,
                   "replied_at": i.replied_at.isoformat() if i.replied_at else None} for i in v.items],
        "response_state": v.response_state.value, "submitted_by": v.submitted_by, "submitted_at": v.submitted_at,
        "version": v.version,
    }


class ValidationRepository(AggregateRepository[Validation]):
    root = tables.validations
    stale_message = "The Validation Response was changed by someone else meanwhile; reload and try again."

    async def get(self, validation_id: uuid.UUID) -> Validation | None:
        row = (await self.session.execute(
            select(tables.validations).where(tables.validations.c.id == validation_id))).first()
        return self._loaded(_validation(row._mapping)) if row is not None else None

    async def _insert(self, validation: Validation) -> None:
        await self.session.execute(insert(tables.validations).values(id=validation.id,
                                                                     **_validation_values(validation)))

    async def _update(self, validation: Validation) -> None:
        await self.session.execute(update(tables.validations).where(tables.validations.c.id == validation.id)
                                   .values(**_validation_values(validation)))

    async def evidence_uploaded(self, document_id: uuid.UUID, validation_id: uuid.UUID, item_id: uuid.UUID,
                                title: str, uploaded_at: datetime) -> None:
        t = tables.validation_evidence
        await self.session.execute(
            pg_insert(t).values(document_id=document_id, validation_id=validation_id, item_id=item_id, title=title,
                                uploaded_at=uploaded_at)
            .on_conflict_do_update(index_elements=["document_id"], set_={"title": title}))

    async def evidence_removed(self, document_id: uuid.UUID) -> None:
        await self.session.execute(delete(tables.validation_evidence)
                                   .where(tables.validation_evidence.c.document_id == document_id))


class ValidationReads:
    OF_MODEL = Query(select(tables.validations).where(tables.validations.c.security_model_id == bindparam("id"))
                     .order_by(tables.validations.c.validation_date.desc(), tables.validations.c.recorded_at.desc()))
    ONE = Query(select(tables.validations).where(tables.validations.c.id == bindparam("id")))
    EVIDENCE = Query(select(tables.validation_evidence)
                     .where(tables.validation_evidence.c.validation_id == bindparam("id"))
                     .order_by(tables.validation_evidence.c.uploaded_at))

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    async def of_model(self, model_id: uuid.UUID) -> list[Validation]:
        return [_validation(r) for r in await self.reads.all(self.OF_MODEL, id=model_id)]

    async def get(self, validation_id: uuid.UUID) -> Validation | None:
        row = await self.reads.one(self.ONE, id=validation_id)
        return _validation(row) if row is not None else None

    async def evidence(self, validation_id: uuid.UUID) -> dict[uuid.UUID, list[tuple[uuid.UUID, str]]]:
        found: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
        for r in await self.reads.all(self.EVIDENCE, id=validation_id):
            found.setdefault(r["item_id"], []).append((r["document_id"], r["title"]))
        return found


def _operation(row: Mapping[str, Any]) -> ModelOperation:
    return ModelOperation(
        id=row["id"], kind=OperationKind(row["kind"]), security_model_id=row["security_model_id"],
        trade_account_id=row["trade_account_id"], requested_by=row["requested_by"],
        requested_at=row["requested_at"], reason=row["reason"], business_types=list(_json(row["business_types"])),
        eligibility_answers=dict(_json(row["eligibility_answers"])), identifiers=dict(_json(row["identifiers"])),
        other_model_id=row["other_model_id"], status=OperationStatus(row["status"]), decided_by=row["decided_by"],
        decided_at=row["decided_at"], decision_reason=row["decision_reason"],
        resulting_model_id=row["resulting_model_id"], version=row["version"],
    )


def _operation_values(o: ModelOperation) -> dict[str, Any]:
    return {
        "kind": o.kind.value, "security_model_id": o.security_model_id, "trade_account_id": o.trade_account_id,
        "requested_by": o.requested_by, "requested_at": o.requested_at, "reason": o.reason,
        "business_types": o.business_types, "eligibility_answers": o.eligibility_answers,
        "identifiers": o.identifiers, "other_model_id": o.other_model_id, "status": o.status.value,
        "decided_by": o.decided_by, "decided_at": o.decided_at, "decision_reason": o.decision_reason,
        "resulting_model_id": o.resulting_model_id, "version": o.version,
    }


class OperationRepository(AggregateRepository[ModelOperation]):
    root = tables.model_operations
    stale_message = "The request was decided by someone else meanwhile; reload it."
    unique_fields = {"one_pending_operation": "security_model_id"}

    async def get(self, operation_id: uuid.UUID) -> ModelOperation | None:
        row = (await self.session.execute(
            select(tables.model_operations).where(tables.model_operations.c.id == operation_id))).first()
        return self._loaded(_operation(row._mapping)) if row is not None else None

    async def pending_for(self, model_ids: list[uuid.UUID]) -> bool:
        t = tables.model_operations
        found = await self.session.execute(select(t.c.id).where(
            t.c.status == "pending", (t.c.security_model_id.in_(model_ids)) | (t.c.other_model_id.in_(model_ids))))
        return found.first() is not None

    async def _insert(self, operation: ModelOperation) -> None:
        await self.session.execute(insert(tables.model_operations).values(id=operation.id,
                                                                          **_operation_values(operation)))

    async def _update(self, operation: ModelOperation) -> None:
        await self.session.execute(update(tables.model_operations)
                                   .where(tables.model_operations.c.id == operation.id)
                                   .values(**_operation_values(operation)))


class OperationReads:
    OF_MODEL = Query(select(tables.model_operations).where(
        (tables.model_operations.c.security_model_id == bindparam("id"))
        | (tables.model_operations.c.other_model_id == bindparam("id"))
    ).order_by(tables.model_operations.c.requested_at.desc()))
    BY_STATUS = Query(select(tables.model_operations).where(tables.model_operations.c.status == bindparam("status"))
                      .order_by(tables.model_operations.c.requested_at).limit(500))

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    async def of_model(self, model_id: uuid.UUID) -> list[ModelOperation]:
        return [_operation(r) for r in await self.reads.all(self.OF_MODEL, id=model_id)]

    async def by_status(self, status: str) -> list[ModelOperation]:
        return [_operation(r) for r in await self.reads.all(self.BY_STATUS, status=status)]


@dataclass(frozen=True)
class QueueItem:
    """One Security Model in an SCSS's work queue, and what in it waits for them."""

    security_model_id: uuid.UUID
    trade_account_id: uuid.UUID
    company_name: str | None
    business_types: list[str]
    status: str
    profile_submitted: bool
    reviews_submitted: list[int]
    responses_submitted: int
    waiting_since: datetime | None


class WorkQueueReads:
    """CT-12: what waits for an SCSS: submitted profiles, submitted annual reviews, submitted validation
    responses, on the models assigned to them; oldest first. One statement, indexed by the SCSS."""

    QUEUE = Query(text(
        "select m.id, m.trade_account_id, k.company_name, m.business_types, m.status, m.profile_submitted,"
        " coalesce((select array_agg(r.review_year order by r.review_year) from annual_reviews r"
        "   where r.security_model_id = m.id and r.state = 'submitted'), '{}') as reviews_submitted,"
        " (select count(*) from validations v where v.security_model_id = m.id"
        "   and v.response_state = 'submitted') as responses_submitted,"
        " (select max(h.at) from status_history h where h.security_model_id = m.id) as waiting_since"
        " from security_models m left join known_trade_accounts k on k.trade_account_id = m.trade_account_id"
        " where m.scss_user_id = :scss and (m.profile_submitted"
        "   or exists (select 1 from annual_reviews r where r.security_model_id = m.id and r.state = 'submitted')"
        "   or exists (select 1 from validations v where v.security_model_id = m.id"
        "              and v.response_state = 'submitted'))"
        " order by waiting_since nulls last limit :limit"
    ))

    def __init__(self, reads: Reads) -> None:
        self.reads = reads

    async def of_scss(self, scss_user_id: uuid.UUID, limit: int = 200) -> list[QueueItem]:
        return [
            QueueItem(r["id"], r["trade_account_id"], r["company_name"],
                      [t["code"] for t in _json(r["business_types"])], r["status"], r["profile_submitted"],
                      list(r["reviews_submitted"]), r["responses_submitted"], r["waiting_since"])
            for r in await self.reads.all(self.QUEUE, scss=scss_user_id, limit=limit)
        ]
