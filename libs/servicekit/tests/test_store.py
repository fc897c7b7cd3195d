"""The aggregate store: the loaded version guards every save, and events leave only with the change (PL-02)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import ClassVar

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, update
from sqlalchemy.dialects.postgresql import UUID

from portal_events import EventPayload
from servicekit.aggregate import RecordsEvents
from servicekit.clock import SystemClock
from servicekit.db import Database
from servicekit.outbox import Outbox, outbox_table, written_versions
from servicekit.store import AggregateRepository, StaleAggregate

metadata = MetaData()
outbox = outbox_table(metadata)
gadgets = Table(
    "gadgets", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("version", Integer, nullable=False),
)


class GadgetRenamed(EventPayload):
    event_type: ClassVar[str] = "GadgetRenamed.v1"
    topic: ClassVar[str] = "servicekit-test.gadget.v1"
    aggregate_id_field: ClassVar[str] = "gadget_id"

    gadget_id: uuid.UUID
    name: str


@dataclass
class Gadget(RecordsEvents):
    id: uuid.UUID
    name: str
    version: int = 1
    events: list = field(default_factory=list)

    def rename(self, name: str) -> None:
        self.name = name
        self._bump()
        self.events.append(GadgetRenamed(gadget_id=self.id, name=name, version=self.version))


class GadgetRepository(AggregateRepository[Gadget]):
    root = gadgets

    async def get(self, gadget_id: uuid.UUID) -> Gadget | None:
        row = (await self.session.execute(select(gadgets).where(gadgets.c.id == gadget_id))).first()
        return self._loaded(Gadget(row.id, row.name, row.version)) if row else None

    async def _insert(self, gadget: Gadget) -> None:
        await self.session.execute(insert(gadgets).values(id=gadget.id, name=gadget.name, version=gadget.version))

    async def _update(self, gadget: Gadget) -> None:
        await self.session.execute(update(gadgets).where(gadgets.c.id == gadget.id).values(name=gadget.name))


@pytest.fixture(scope="module")
async def db(kit_database):
    async with kit_database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    database = Database(kit_database.url, pool_size=4,
                        outbox=Outbox(outbox, source="servicekit-test", clock=SystemClock()))
    yield database
    await database.dispose()


async def outbox_names(db, gadget_id) -> list[str]:
    async with db.transaction() as session:
        rows = await session.execute(select(outbox.c.payload).where(outbox.c.key == str(gadget_id)).order_by(outbox.c.seq))
        return [r.payload["name"] for r in rows]


async def new_gadget(db) -> uuid.UUID:
    gadget = Gadget(uuid.uuid4(), "first")
    async with db.transaction() as session:
        await GadgetRepository(session).add(gadget)
    return gadget.id


@pytest.mark.req("PL-02")
async def test_saving_moves_the_recorded_events_into_the_outbox_in_the_same_transaction(db):
    gadget_id = await new_gadget(db)
    async with db.transaction() as session:
        repo = GadgetRepository(session)
        gadget = await repo.get(gadget_id)
        gadget.rename("second")
        gadget.rename("third")
        await repo.save(gadget)
        assert gadget.events == []  # handed on, so a second save cannot publish them again
        assert written_versions(session) == {(GadgetRenamed.topic, str(gadget_id)): 3}
    assert await outbox_names(db, gadget_id) == ["second", "third"]

    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            repo = GadgetRepository(session)
            gadget = await repo.get(gadget_id)
            gadget.rename("never")
            await repo.save(gadget)
            raise RuntimeError("the request failed after saving")
    assert await outbox_names(db, gadget_id) == ["second", "third"]


@pytest.mark.req("PL-02")
async def test_a_lost_race_is_refused_as_stale_and_changes_nothing(db):
    gadget_id = await new_gadget(db)
    async with db.transaction() as first_session, db.transaction() as second_session:
        first = await GadgetRepository(first_session).get(gadget_id)
        second = await GadgetRepository(second_session).get(gadget_id)
        first.rename("by the first")
        await GadgetRepository(first_session).save(first)
        await first_session.commit()
        second.rename("by the second")
        with pytest.raises(StaleAggregate) as refused:
            await GadgetRepository(second_session).save(second)
        assert refused.value.status == 409
        await second_session.rollback()
    async with db.transaction() as session:
        assert (await GadgetRepository(session).get(gadget_id)).name == "by the first"
    assert await outbox_names(db, gadget_id) == ["by the first"]


@pytest.mark.req("PL-02")
async def test_concurrent_saves_of_one_aggregate_give_one_success_and_only_stale_refusals(db):
    gadget_id = await new_gadget(db)
    everyone_loaded = asyncio.Barrier(4)

    async def rename(name: str) -> str:
        try:
            async with db.transaction() as session:
                repo = GadgetRepository(session)
                gadget = await repo.get(gadget_id)
                await everyone_loaded.wait()  # all four hold version 1 before any saves
                gadget.rename(name)
                await repo.save(gadget)
            return "saved"
        except StaleAggregate:
            return "stale"

    outcomes = await asyncio.gather(*(rename(f"name-{i}") for i in range(4)))
    assert sorted(outcomes) == ["saved", "stale", "stale", "stale"]
    async with db.transaction() as session:
        count = await session.scalar(select(func.count()).select_from(outbox).where(outbox.c.key == str(gadget_id)))
        assert count == 1
        assert (await GadgetRepository(session).get(gadget_id)).version == 2


async def test_saving_an_unchanged_aggregate_writes_nothing_and_misuse_is_caught(db):
    gadget_id = await new_gadget(db)
    async with db.transaction() as session:
        repo = GadgetRepository(session)
        gadget = await repo.get(gadget_id)
        await repo.save(gadget)
        assert written_versions(session) == {}
        with pytest.raises(RuntimeError):
            await repo.add(gadget)  # stored already
        with pytest.raises(RuntimeError):
            await repo.save(Gadget(uuid.uuid4(), "never stored"))
