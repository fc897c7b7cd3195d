"""Saving aggregates: one concurrency rule and one way for events to leave, for every service.

`AggregateRepository` is the base of every repository that stores an
aggregate (a `RecordsEvents`). Its `add` and `save`

1. write the aggregate's state (the subclass's `_insert` / `_update`);
2. on `save`, first move the root row from the version the aggregate was
   loaded at to its new version, in one guarded `UPDATE`: when someone else
   saved it meanwhile, no row matches and the save raises `StaleAggregate`
   (409), which rolls the whole request back, so a lost race changes nothing;
3. move every event the aggregate recorded into the outbox of the same
   session, so they commit or vanish together with the change.

Use cases never see the outbox: it rides on the session (`Database` puts it
in `session.info`), so no use case can forget an event or publish one that did
not happen (cosmic's unit of work collecting `seen` aggregates, done in the
repository).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Table, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.aggregate import RecordsEvents
from servicekit.errors import Conflict
from servicekit.unique import conflict_for

OUTBOX_KEY = "servicekit.outbox"

A = TypeVar("A", bound=RecordsEvents)


class StaleAggregate(Conflict):
    slug = "stale"
    title = "Changed by someone else"


def outbox_of(session: AsyncSession) -> Any:
    """The outbox that `Database` bound to this session."""
    outbox = session.info.get(OUTBOX_KEY)
    if outbox is None:
        raise RuntimeError("this session has no outbox: open it from a Database built with one")
    return outbox


class AggregateRepository(Generic[A]):
    """Base of a repository of one aggregate type; subclasses write the state, this class guards and publishes.

    `root` is the aggregate's own table, with `id` and `version` columns.
    """

    root: ClassVar[Table]
    stale_message: ClassVar[str] = "It was changed by someone else meanwhile; reload it and try again."
    # Unique constraints of the aggregate's tables -> the field a client would name (servicekit.unique).
    unique_fields: ClassVar[dict[str, str]] = {}

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- what subclasses write -------------------------------------------------

    async def _insert(self, aggregate: A) -> None:
        raise NotImplementedError

    async def _update(self, aggregate: A) -> None:
        """Writes everything but the root's version, which `save` has already moved."""
        raise NotImplementedError

    # --- what use cases call -----------------------------------------------------

    def _loaded(self, aggregate: A) -> A:
        """Subclasses pass every aggregate they read through here."""
        aggregate.mark_persisted()
        return aggregate

    async def add(self, aggregate: A) -> None:
        if aggregate.persisted_version is not None:
            raise RuntimeError(f"{type(aggregate).__name__} {aggregate.id} is stored already; save() it")
        async with self._unique_as_conflict():
            await self._insert(aggregate)
        await self._settle(aggregate)

    async def save(self, aggregate: A) -> None:
        loaded = aggregate.persisted_version
        if loaded is None:
            raise RuntimeError(f"{type(aggregate).__name__} {aggregate.id} was never stored; add() it")
        if aggregate.version == loaded and not aggregate.events:
            return  # nothing changed
        if aggregate.version == loaded:
            raise RuntimeError("an aggregate recorded events without bumping its version")
        moved = await self.session.execute(
            update(self.root)
            .where(self.root.c.id == aggregate.id, self.root.c.version == loaded)
            .values(version=aggregate.version)
        )
        if moved.rowcount != 1:
            raise StaleAggregate(self.stale_message)
        async with self._unique_as_conflict():
            await self._update(aggregate)
        await self._settle(aggregate)

    @asynccontextmanager
    async def _unique_as_conflict(self) -> AsyncIterator[None]:
        try:
            yield
        except IntegrityError as error:
            conflict = conflict_for(error, self.unique_fields)
            if conflict is None:
                raise
            raise conflict from None

    async def _settle(self, aggregate: A) -> None:
        outbox = outbox_of(self.session)
        for event in aggregate.pull_events():
            await outbox.add(self.session, event)
        aggregate.mark_persisted()
