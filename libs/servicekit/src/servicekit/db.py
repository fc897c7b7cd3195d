"""Async SQLAlchemy 2 with asyncpg: one engine per process, one commit per request or message.

Use cases and repositories only `flush()`; the edge that opened the session
(the HTTP route class below, or the consumer) commits exactly once, and rolls
back when anything failed, so a refused request changes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from servicekit.reads import Reads
from servicekit.store import OUTBOX_KEY

# The outbox notes what a session wrote under this key (servicekit.outbox.written_versions).
WRITTEN_KEY = "servicekit.written"
WRITTEN_HEADER = "portal-written"


def format_versions(versions: dict[tuple[str, str], int]) -> str:
    return ",".join(f"{topic}/{aggregate_id}={version}" for (topic, aggregate_id), version in versions.items())


class Database:
    """The engine and its sessions. `outbox`, when given, rides on every session (servicekit.store)."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False, outbox: Any = None) -> None:
        self.url = url
        # No pre-ping: it costs a round trip on every checkout (about 8% of a
        # sign-in's CPU, measured). A connection the server dropped fails its
        # statement once and is discarded by the pool; recycling bounds its age.
        self.engine: AsyncEngine = create_async_engine(
            # Overflow connections are closed when returned, so every request beyond `pool_size`
            # paid a new connection (TCP, auth, type introspection: measured in bench.per_request at
            # 16 connections); the pool itself is sized for the concurrency, with a little headroom.
            url, pool_size=pool_size, max_overflow=max(2, pool_size // 4), pool_recycle=900, echo=echo
        )
        # Each session gets its own copy of `info`, so what one session notes stays its own.
        self.sessionmaker = async_sessionmaker(
            self.engine, expire_on_commit=False, info={OUTBOX_KEY: outbox} if outbox is not None else {}
        )
        # Hot reads skip the session (servicekit.reads); their pool opens on first use.
        self.reads = Reads(url, size=pool_size)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits once at the end, or rolls back on any error."""
        async with self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("select 1"))

    async def dispose(self) -> None:
        await self.reads.close()
        await self.engine.dispose()


_SESSION_KEY = "servicekit_db_session"


async def request_session(request: Request) -> AsyncSession:
    """FastAPI dependency: the request's session, opened on first use.

    `TransactionalRoute` owns its end (commit or rollback, then close), so the
    outcome never depends on when FastAPI runs a dependency's exit code.
    """
    session = getattr(request.state, _SESSION_KEY, None)
    if session is None:
        database: Database = request.app.state.runtime.database
        session = database.sessionmaker()
        setattr(request.state, _SESSION_KEY, session)
    return session


class TransactionalRoute(APIRoute):
    """Commits the request's session after the endpoint returned, before the response is sent.

    Any error (ours or the database's), and any response of status 400 or
    more, rolls the whole request back: a refused request changes nothing.
    """

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def transactional_handler(request: Request) -> Response:
            try:
                response = await handler(request)
                session: AsyncSession | None = getattr(request.state, _SESSION_KEY, None)
                if session is not None:
                    if response.status_code < 400:
                        await session.commit()
                        written = session.info.get(WRITTEN_KEY)
                        if written:
                            # What this request changed, so the caller's next requests can wait for it
                            # elsewhere (servicekit.consistency).
                            response.headers[WRITTEN_HEADER] = format_versions(written)
                    else:
                        await session.rollback()
                return response
            except BaseException:
                session = getattr(request.state, _SESSION_KEY, None)
                if session is not None:
                    await session.rollback()
                raise
            finally:
                session = getattr(request.state, _SESSION_KEY, None)
                if session is not None:
                    await session.close()
                    setattr(request.state, _SESSION_KEY, None)

        return transactional_handler
