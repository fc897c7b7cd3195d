"""The read side: statements compiled once from SQLAlchemy Core, run straight on asyncpg.

A hot read (`GET /me`, a Trade Account) is one statement. Through an ORM
session it paid for the session, its transaction, the greenlet bridge and
result processing: about 230 us of identity's 1,220 us of CPU per `GET /me`
(py-spy, measured in `make bench floor`). Here it is a pool checkout and one
prepared statement, in autocommit: a single statement sees one snapshot, so it
needs no transaction of its own.

Writes never come here: they load and save aggregates through the session and
`servicekit.store`, where the version check and the outbox live. What a read
returns is mapped by the same row-to-object function the repository uses, so
the two sides cannot disagree about what a row means.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.sql import ClauseElement

_DIALECT = asyncpg_dialect.dialect()


class Query:
    """One read statement in asyncpg's `$n` form, with the names of its parameters in order.

    Built at import from a Core statement with named `bindparam`s (or a
    `text()` with `:name` parameters), so it is compiled once per process.
    """

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        self.sql: str = compiled.string
        self.parameters: tuple[str, ...] = tuple(compiled.positiontup or ())
        # Values the statement carries itself (a LIMIT, a literal compared to): sent unless overridden.
        self._constants = {name: value for name, value in compiled.params.items() if value is not None}

    def arguments(self, values: dict[str, Any]) -> list[Any]:
        missing = [name for name in self.parameters if name not in values and name not in self._constants]
        if missing:
            raise TypeError(f"query parameters missing: {', '.join(missing)}")
        return [values[name] if name in values else self._constants[name] for name in self.parameters]


async def _json_codecs(conn: asyncpg.Connection) -> None:
    # As SQLAlchemy's asyncpg dialect does: json and jsonb arrive as Python values.
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _no_reset(conn: asyncpg.Connection) -> None:
    # Only single read statements in autocommit run here: nothing is left on the
    # session to reset, and asyncpg's default reset is a round trip per release.
    return None


async def open_read_pool(url: str, *, size: int) -> asyncpg.Pool:
    """The read side's asyncpg pool (also the floor's in `bench.floor`, so both pay the same)."""
    return await asyncpg.create_pool(
        url.replace("postgresql+asyncpg://", "postgresql://", 1), min_size=1, max_size=size,
        init=_json_codecs, reset=_no_reset,
    )


class ByName:
    """An asyncpg record read by attribute (`row.title`), as SQLAlchemy's rows are: so one row-to-object
    function of a repository serves both its session's rows and its reads' records."""

    __slots__ = ("_record",)

    def __init__(self, record: asyncpg.Record) -> None:
        self._record = record

    def __getattr__(self, name: str) -> Any:
        try:
            return self._record[name]
        except KeyError:
            raise AttributeError(name) from None


class Reads:
    """A small asyncpg pool of its own, opened on first use and closed with the Database."""

    def __init__(self, url: str, *, size: int) -> None:
        self._url = url
        self._size = size
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    async def _opened(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    self._pool = await open_read_pool(self._url, size=self._size)
        return self._pool

    async def one(self, query: Query, **values: Any) -> asyncpg.Record | None:
        pool = self._pool or await self._opened()
        return await pool.fetchrow(query.sql, *query.arguments(values))

    async def all(self, query: Query, **values: Any) -> list[asyncpg.Record]:
        pool = self._pool or await self._opened()
        return await pool.fetch(query.sql, *query.arguments(values))

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
