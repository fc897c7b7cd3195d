"""The running portal, as the bench meets it: addresses, bench users, fresh tokens, and data at scale."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

import httpx

from bench.report import report

GATEWAY = os.environ.get("PORTAL_GATEWAY_URL", "http://127.0.0.1:8080")
IDENTITY = os.environ.get("PORTAL_IDENTITY_URL", "http://127.0.0.1:8101")
TRADE_ACCOUNTS = os.environ.get("PORTAL_TRADE_ACCOUNTS_URL", "http://127.0.0.1:8102")
PASSWORD = "Bench#Harbor42"

SCALE_ACCOUNTS = 10_000
SCALE_MEMBERS_PER_ACCOUNT = 10  # 100,000 memberships


async def register_users(count: int) -> list[str]:
    emails = []
    questions = [{"question_id": i, "answer": f"bench answer {i}"} for i in (1, 2, 3)]
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(count):
            email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
            r = await client.post(f"{IDENTITY}/users", json={"email": email, "password": PASSWORD,
                                                             "security_questions": questions})
            r.raise_for_status()
            emails.append(email)
    return emails


async def access_token(email: str) -> str:
    """A fresh access token (they live minutes; each measurement takes its own)."""
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.post(f"{IDENTITY}/sessions", json={"email": email, "password": PASSWORD})
        r.raise_for_status()
        return r.json()["access_token"]


async def user_id(token: str) -> uuid.UUID:
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.get(f"{IDENTITY}/me", headers={"Authorization": f"Bearer {token}"})
        r.raise_for_status()
        return uuid.UUID(r.json()["id"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def seed_trade_accounts(user: uuid.UUID, email: str) -> list[uuid.UUID]:
    """10,000 accounts with 10 users each (once per database), plus 5 of which `user` is the administrator.

    Written straight into trade-accounts' tables (a bench fixture, not a client):
    through the API, a million requests would take longer than the bench.
    """
    import asyncpg

    from trade_accounts.settings import TradeAccountsSettings

    dsn = TradeAccountsSettings().database_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        have = await conn.fetchval("select count(*) from trade_accounts where company_name like 'Scale %'")
        now = datetime.now(UTC)
        if have < SCALE_ACCOUNTS:
            accounts = [(uuid.uuid4(), f"Scale {n:05d} Imports", now, uuid.uuid4())
                        for n in range(SCALE_ACCOUNTS - have)]
            await conn.copy_records_to_table(
                "trade_accounts", records=[(a, name, at, by, 1) for a, name, at, by in accounts],
                columns=["id", "company_name", "created_at", "created_by", "version"],
            )
            members = [
                (uuid.uuid4(), a, i, uuid.uuid4(), f"m{i}-{a.hex[:8]}@scale.example", "Mr.", "Sam", "Scale", "Clerk",
                 "2025550100", "company_administrator" if i == 0 else "user", "active")
                for a, *_ in accounts for i in range(SCALE_MEMBERS_PER_ACCOUNT)
            ]
            await conn.copy_records_to_table(
                "memberships", records=members,
                columns=["id", "trade_account_id", "position", "user_id", "email", "salutation", "first_name",
                         "last_name", "title", "phone", "type", "status"],
            )
            await conn.execute("analyze trade_accounts; analyze memberships")
        mine = []
        for n in range(5):
            # Shaped like the others (ten users) plus two addresses, so a read returns a typical account.
            account_id = uuid.uuid4()
            await conn.execute(
                "insert into trade_accounts (id, company_name, created_at, created_by, version)"
                " values ($1, $2, $3, $4, 1)", account_id, f"Bench Own {n}", now, user)
            await conn.executemany(
                "insert into memberships (id, trade_account_id, position, user_id, email, salutation, first_name,"
                " last_name, title, phone, type, status) values ($1, $2, $3, $4, $5, 'Ms.', 'Bea', 'Bench',"
                " 'Officer', '2025550100', $6, 'active')",
                [(uuid.uuid4(), account_id, 0, user, email, "company_administrator")]
                + [(uuid.uuid4(), account_id, i, uuid.uuid4(), f"u{i}-{account_id.hex[:8]}@bench.example", "user")
                   for i in range(1, SCALE_MEMBERS_PER_ACCOUNT)])
            await conn.executemany(
                "insert into addresses (id, trade_account_id, position, type, street_line_1, city, country,"
                " postal_code) values ($1, $2, $3, $4, '1 Harbor Way', 'Baltimore', 'US', '21230')",
                [(uuid.uuid4(), account_id, 0, "headquarters"), (uuid.uuid4(), account_id, 1, "other")])
            mine.append(account_id)
        members_total = await conn.fetchval("select count(*) from memberships")
        accounts_total = await conn.fetchval("select count(*) from trade_accounts")
        report(f"scale    trade-accounts holds {accounts_total} Trade Accounts and {members_total} memberships")
        return mine
    finally:
        await conn.close()
