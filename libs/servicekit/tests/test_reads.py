"""servicekit.reads: statements compiled once, run on asyncpg in autocommit, and what they return."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, select, text
from sqlalchemy.dialects.postgresql import JSONB, UUID

from servicekit.db import Database
from servicekit.reads import Query

metadata = MetaData()
things = Table(
    "reads_things", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("size", Integer, nullable=False),
    Column("parts", JSONB, nullable=False),
)

BY_ID = Query(select(things).where(things.c.id == bindparam("id")))
BY_SIZE_AND_NAME = Query(
    select(things.c.id).where(things.c.name == bindparam("name"), things.c.size >= bindparam("size"))
    .order_by(things.c.size)
)
TEXT_BY_ID = Query(text("select name from reads_things where id = :id"))
SMALLEST = Query(select(things.c.name).where(things.c.size >= bindparam("size")).order_by(things.c.size).limit(2))


def test_a_query_numbers_its_parameters_in_the_order_the_sql_uses_them() -> None:
    assert BY_SIZE_AND_NAME.parameters == ("name", "size")
    assert "$1" in BY_SIZE_AND_NAME.sql and "$2" in BY_SIZE_AND_NAME.sql
    assert BY_SIZE_AND_NAME.arguments({"size": 3, "name": "bolt"}) == ["bolt", 3]
    assert TEXT_BY_ID.parameters == ("id",) and "$1" in TEXT_BY_ID.sql


def test_values_the_statement_carries_itself_are_sent_with_it() -> None:
    assert SMALLEST.arguments({"size": 3}) == [3, 2]  # the LIMIT is the statement's own


def test_a_missing_parameter_is_named_not_sent_as_null() -> None:
    with pytest.raises(TypeError, match="size"):
        BY_SIZE_AND_NAME.arguments({"name": "bolt"})


@pytest.fixture
async def database(kit_database: Database) -> Database:
    async with kit_database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(things.delete())
    return kit_database


async def test_reads_see_what_the_session_committed_and_decode_like_it(database: Database) -> None:
    thing_id = uuid.uuid4()
    name = "Zoë's \U0001f6a2 " + "x" * 150
    async with database.transaction() as session:
        await session.execute(things.insert().values(id=thing_id, name=name, size=7, parts=[{"n": 1}]))

    row = await database.reads.one(BY_ID, id=thing_id)

    assert row is not None
    assert row["id"] == thing_id and isinstance(row["id"], uuid.UUID)
    assert row["name"] == name
    assert row["parts"] == [{"n": 1}]  # jsonb as Python values, as through the session
    assert await database.reads.one(BY_ID, id=uuid.uuid4()) is None
    assert [r["id"] for r in await database.reads.all(BY_SIZE_AND_NAME, name=name, size=1)] == [thing_id]


async def test_reads_never_see_a_transaction_that_has_not_committed(database: Database) -> None:
    thing_id = uuid.uuid4()
    async with database.transaction() as session:
        await session.execute(things.insert().values(id=thing_id, name="pending", size=1, parts=[]))
        await session.flush()
        assert await database.reads.one(BY_ID, id=thing_id) is None
    assert await database.reads.one(BY_ID, id=thing_id) is not None


async def test_many_concurrent_reads_share_one_pool(database: Database) -> None:
    thing_id = uuid.uuid4()
    async with database.transaction() as session:
        await session.execute(things.insert().values(id=thing_id, name="shared", size=1, parts=[]))

    rows = await asyncio.gather(*(database.reads.one(BY_ID, id=thing_id) for _ in range(50)))

    assert all(r is not None and r["name"] == "shared" for r in rows)
