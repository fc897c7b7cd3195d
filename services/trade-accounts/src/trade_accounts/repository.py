"""All of trade-accounts' SQL. Repositories flush; the edge commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.errors import Conflict
from trade_accounts import tables
from trade_accounts.domain.actors import KnownUser
from trade_accounts.domain.addresses import Address, AddressType
from trade_accounts.domain.trade_account import (
    CompanyInformation,
    Member,
    MemberStatus,
    MemberType,
    PersonDetails,
    TradeAccount,
)

_PERSON_FIELDS = ("salutation", "first_name", "last_name", "title", "phone")
_ADDRESS_FIELDS = ("street_line_1", "street_line_2", "city", "country", "state", "postal_code")


def _details(row: Any) -> PersonDetails:
    return PersonDetails(*(getattr(row, f) for f in _PERSON_FIELDS))


class TradeAccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, account_id: uuid.UUID, *, for_update: bool = False) -> TradeAccount | None:
        query = select(tables.trade_accounts).where(tables.trade_accounts.c.id == account_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        a, m = tables.addresses, tables.memberships
        address_rows = (
            await self.session.execute(select(a).where(a.c.trade_account_id == account_id).order_by(a.c.position))
        ).all()
        member_rows = (
            await self.session.execute(select(m).where(m.c.trade_account_id == account_id).order_by(m.c.position))
        ).all()
        return TradeAccount(
            id=row.id,
            company=CompanyInformation(
                row.company_name, row.doing_business_as, row.number_of_employees,
                row.business_start_date, row.brief_history,
            ),
            created_at=row.created_at,
            created_by=row.created_by,
            parent_id=row.parent_id,
            version=row.version,
            addresses=[
                Address(r.id, AddressType(r.type), *(getattr(r, f) for f in _ADDRESS_FIELDS)) for r in address_rows
            ],
            members=[
                Member(r.id, r.email, r.user_id, _details(r), MemberType(r.type), MemberStatus(r.status))
                for r in member_rows
            ],
        )

    def _account_values(self, account: TradeAccount) -> dict[str, Any]:
        return {**account.company.__dict__, "parent_id": account.parent_id, "version": account.version}

    async def add(self, account: TradeAccount) -> None:
        await self.session.execute(
            insert(tables.trade_accounts).values(
                id=account.id, created_at=account.created_at, created_by=account.created_by,
                **self._account_values(account),
            )
        )
        await self._write_children(account)

    async def save(self, account: TradeAccount, *, loaded_version: int) -> None:
        """Writes the aggregate; refuses if someone else saved it since it was loaded."""
        if account.version == loaded_version:
            return
        result = await self.session.execute(
            update(tables.trade_accounts)
            .where(tables.trade_accounts.c.id == account.id, tables.trade_accounts.c.version == loaded_version)
            .values(**self._account_values(account))
        )
        if result.rowcount != 1:
            raise Conflict("The Trade Account was changed by someone else meanwhile; reload and try again.")
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
            .where(func.lower(m.c.email) == email.lower(), m.c.status == MemberStatus.INVITED.value)
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
            .where(m.c.user_id == user_id, m.c.status == MemberStatus.ACTIVE.value)
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
