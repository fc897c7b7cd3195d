"""Browser sessions in PostgreSQL, so several gateway processes share them.

Rows are keyed by the hash of the cookie's id (never the id itself). A refresh
holds a PostgreSQL advisory lock for its session, so only one gateway process
at a time spends the session's single-use refresh token. The table belongs to
the gateway's own database and is changed only by its migrations.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import asyncpg

from gateway.browser_session import BrowserSession
from servicekit.clock import Clock

# Expired rows are swept now and then, not on every write.
_SWEEP_SHARE = 0.01


def _lock_id(key: str) -> int:
    # The key is a SHA-256 hex digest: its first 64 bits are as good as any.
    return int.from_bytes(bytes.fromhex(key[:16]), "big", signed=True)


class PostgresSessionStore:
    def __init__(self, dsn: str, clock: Clock, *, pool_size: int = 10) -> None:
        self._dsn = dsn.replace("postgresql+asyncpg://", "postgresql://")
        self._clock = clock
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    async def _connections(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(self._dsn, min_size=1, max_size=self._pool_size)
        return self._pool

    async def get(self, key: str) -> BrowserSession | None:
        pool = await self._connections()
        row = await pool.fetchrow(
            "select session from browser_sessions where key = $1 and expires_at > $2", key, self._clock.now()
        )
        if row is None:
            return None
        data = json.loads(row["session"])
        data["roles"] = tuple(data["roles"])
        return BrowserSession(**data)

    async def put(self, key: str, session: BrowserSession, ttl_seconds: float) -> None:
        pool = await self._connections()
        now = self._clock.now()
        await pool.execute(
            "insert into browser_sessions (key, session, expires_at) values ($1, $2, $3)"
            " on conflict (key) do update set session = excluded.session, expires_at = excluded.expires_at",
            key, json.dumps(dataclasses.asdict(session)), now + timedelta(seconds=ttl_seconds),
        )
        if random.random() < _SWEEP_SHARE:
            await pool.execute("delete from browser_sessions where expires_at <= $1", now)

    async def delete(self, key: str) -> None:
        pool = await self._connections()
        await pool.execute("delete from browser_sessions where key = $1", key)

    @asynccontextmanager
    async def exclusive(self, key: str) -> AsyncIterator[None]:
        pool = await self._connections()
        async with pool.acquire() as connection:
            await connection.execute("select pg_advisory_lock($1)", _lock_id(key))
            try:
                yield
            finally:
                await connection.execute("select pg_advisory_unlock($1)", _lock_id(key))

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


