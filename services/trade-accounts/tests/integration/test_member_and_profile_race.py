"""A member added at the moment their user's profile arrives ends up active, whichever commits first (TA-05).

Each side runs in its own transaction on the real PostgreSQL, the second started while the first is
still open: without the two taking turns on the address, the member was added as invited, the profile's
consumer found no membership to follow, and the invitation stayed pending for good.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from trade_accounts import use_cases
from trade_accounts.domain.actors import Actor
from trade_accounts.domain.trade_account import MemberType, PersonDetails

DETAILS = PersonDetails("Ms.", "Ana", "Lopez", "Compliance Officer", "+1 202 555 0100")


async def _add(runtime, admin, account_id, email):
    async with runtime.database.transaction() as session:
        return await use_cases.add_user(
            session, runtime.context, Actor(admin.user_id), account_id, email=email, confirm_email=email,
            details=DETAILS, type=MemberType.USER,
        )


async def _profile_arrives(runtime, person):
    async with runtime.database.transaction() as session:
        await use_cases.user_profile_updated(session, runtime.context, person.user_id, DETAILS)


async def _until_someone_waits_for_the_address(runtime) -> None:
    """Polls PostgreSQL until a transaction waits on an advisory lock (bounded: 10 s)."""
    for _ in range(200):
        async with runtime.database.transaction() as session:
            waiting = (await session.execute(text(
                "select count(*) from pg_locks where locktype = 'advisory' and not granted"))).scalar_one()
        if waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the second transaction never waited for the first")


async def _status(client, account_id, admin, email) -> str:
    users = (await client.get(f"/trade-accounts/{account_id}", headers=admin.headers)).json()["users"]
    return next(u["status"] for u in users if u["email"] == email)


@pytest.mark.req("TA-05")
async def test_the_profile_arriving_first_is_seen_by_the_member_added_meanwhile(client, people, account, runtime):
    body, admin = account
    person = await people.registered(profile=False)
    async with runtime.database.transaction() as session:  # the profile's consumer, still open
        await use_cases.user_profile_updated(session, runtime.context, person.user_id, DETAILS)
        adding = asyncio.create_task(_add(runtime, admin, body["id"], person.email))
        await _until_someone_waits_for_the_address(runtime)
        assert not adding.done()
    await adding
    assert await _status(client, body["id"], admin, person.email) == "active"


@pytest.mark.req("TA-05")
async def test_the_member_added_first_is_found_by_the_profile_arriving_meanwhile(client, people, account, runtime):
    body, admin = account
    person = await people.registered(profile=False)
    async with runtime.database.transaction() as session:  # the API's add, still open
        await use_cases.add_user(
            session, runtime.context, Actor(admin.user_id), body["id"], email=person.email,
            confirm_email=person.email, details=DETAILS, type=MemberType.USER,
        )
        arriving = asyncio.create_task(_profile_arrives(runtime, person))
        await _until_someone_waits_for_the_address(runtime)
        assert not arriving.done()
    await arriving
    assert await _status(client, body["id"], admin, person.email) == "active"
