"""Browser sessions in PostgreSQL, so several gateway processes share them.

Rows are keyed by the hash of the cookie's id (never the id itself). A refresh
holds a PostgreSQL advisory lock for its session, so only one gateway process
at a time spends the session's single-use refresh token. The table belongs to
the gateway's own database and is changed only by its migrations.

A session read is kept `recent_seconds` (2 s) in this process: a web page makes
several API calls with one cookie, and each looked its session up again (a
third of a proxied call's cost at the gateway). Every write or deletion tells
the other gateways at once (`NOTIFY gateway_sessions`), and they forget their
copy, so a sign-out holds everywhere; should the notice be lost, no copy
outlives `recent_seconds`. Taking a session for refresh forgets the copy, so
a refresh always reads the row as it is.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import asyncpg
import structlog

from gateway.browser_session import BrowserSession
from servicekit.clock import Clock

log = structlog.get_logger("gateway.session_store_postgres")

# Expired rows are swept now and then, not on every write.
_SWEEP_SHARE = 0.01
CHANNEL = "gateway_sessions"


def _lock_id(key: str) -> int:
    # The key is a SHA-256 hex digest: its first 64 bits are as good as any.
    return int.from_bytes(bytes.fromhex(key[:16]), "big", signed=True)


class PostgresSessionStore:
    def __init__(self, dsn: str, clock: Clock, *, pool_size: int = 10, recent_seconds: float = 2.0,
                 max_recent: int = 100_000) -> None:
        self._dsn = dsn.replace("postgresql+asyncpg://", "postgresql://")
        self._clock = clock
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        self._listener: asyncpg.Connection | None = None
        self._opening = asyncio.Lock()
        self._recent_seconds = recent_seconds
        self._max_recent = max_recent
        self._recent: OrderedDict[str, tuple[float, BrowserSession]] = OrderedDict()

    async def _connections(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(self._dsn, min_size=1, max_size=self._pool_size)
                    await self._listen()
        return self._pool

    async def _listen(self) -> None:
        if self._recent_seconds <= 0:
            return
        try:
            self._listener = await asyncpg.connect(self._dsn)
            await self._listener.add_listener(CHANNEL, self._heard)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            # Without the other gateways' notices, keep no copies at all.
            log.warning("not listening for other gateways' session changes; not keeping sessions", error=repr(exc))
            self._recent_seconds = 0

    def _heard(self, _conn, _pid, _channel, key: str) -> None:
        self._recent.pop(key, None)

    def _remember(self, key: str, session: BrowserSession) -> None:
        if self._recent_seconds <= 0:
            return
        self._recent[key] = (self._clock.now().timestamp() + self._recent_seconds, session)
        self._recent.move_to_end(key)
        while len(self._recent) > self._max_recent:
            self._recent.popitem(last=False)

    async def get(self, key: str) -> BrowserSession | None:
        kept = self._recent.get(key)
        if kept is not None:
            if kept[0] > self._clock.now().timestamp():
                return kept[1]
            del self._recent[key]
        pool = await self._connections()
        row = await pool.fetchrow(
            "select session from browser_sessions where key = $1 and expires_at > $2", key, self._clock.now()
        )
        if row is None:
            return None
        data = json.loads(row["session"])
        data["roles"] = tuple(data["roles"])
        session = BrowserSession(**data)
        self._remember(key, session)
        return session

    async def put(self, key: str, session: BrowserSession, ttl_seconds: float) -> None:
        pool = await self._connections()
        now = self._clock.now()
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "insert into browser_sessions (key, session, expires_at) values ($1, $2, $3)"
                " on conflict (key) do update set session = excluded.session, expires_at = excluded.expires_at",
                key, json.dumps(dataclasses.asdict(session)), now + timedelta(seconds=ttl_seconds),
            )
            await connection.execute("select pg_notify($1, $2)", CHANNEL, key)  # others drop their copy
        self._remember(key, session)
        if random.random() < _SWEEP_SHARE:
            await pool.execute("delete from browser_sessions where expires_at <= $1", now)

    async def delete(self, key: str) -> None:
        self._recent.pop(key, None)
        pool = await self._connections()
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute("delete from browser_sessions where key = $1", key)
            await connection.execute("select pg_notify($1, $2)", CHANNEL, key)

    @asynccontextmanager
    async def exclusive(self, key: str) -> AsyncIterator[None]:
        self._recent.pop(key, None)  # what is read while holding the session is the row itself
        pool = await self._connections()
        async with pool.acquire() as connection:
            await connection.execute("select pg_advisory_lock($1)", _lock_id(key))
            try:
                yield
            finally:
                await connection.execute("select pg_advisory_unlock($1)", _lock_id(key))

    async def aclose(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            await self._listener.close()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


