"""What each caller wrote in the last minute, carried on their next requests (servicekit.consistency).

A service's answer to a write names the aggregate versions it changed
(`Portal-Written`). The gateway keeps them per caller and adds them to that
caller's later requests as `Portal-Read-After`, so a service that learns of
those changes through events waits for them before it decides; a person
clicking fast or a script never hears "do what you have just done".

Several gateways: each one that sees a write tells the others through
PostgreSQL `NOTIFY` before it answers the client, so the caller's next
request finds the hint whichever gateway it reaches (the notification
arrives in well under the client's next round trip). A client may also echo
`Portal-Written` as `Portal-Read-After` itself; both reach the service.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import OrderedDict

import asyncpg
import structlog

from servicekit.consistency import format_versions, parse_versions

log = structlog.get_logger("gateway.read_your_writes")

CHANNEL = "gateway_written"


class WrittenVersions:
    """Per caller, (topic, aggregate id) -> newest version written, each kept for `ttl_seconds`."""

    def __init__(self, *, ttl_seconds: float = 60.0, max_callers: int = 100_000, max_entries: int = 32) -> None:
        self._ttl = ttl_seconds
        self._max_callers = max_callers
        self._max_entries = max_entries
        self._by_caller: OrderedDict[str, dict[tuple[str, str], tuple[int, float]]] = OrderedDict()
        self.broadcast: PostgresBroadcast | None = None

    def record(self, caller: str, written: bytes | str) -> None:
        text = written.decode("latin-1") if isinstance(written, bytes) else written
        versions = parse_versions(text)
        if not versions:
            return
        expires = time.monotonic() + self._ttl
        entries = self._by_caller.pop(caller, {})
        for key, version in versions.items():
            known = entries.get(key)
            entries[key] = (max(version, known[0]) if known else version, expires)
        while len(entries) > self._max_entries:
            del entries[next(iter(entries))]
        self._by_caller[caller] = entries
        while len(self._by_caller) > self._max_callers:
            self._by_caller.popitem(last=False)

    def read_after(self, caller: str) -> bytes | None:
        entries = self._by_caller.get(caller)
        if not entries:
            return None
        now = time.monotonic()
        live = {key: version for key, (version, expires) in entries.items() if expires > now}
        if len(live) != len(entries):
            if live:
                self._by_caller[caller] = {k: v for k, v in entries.items() if v[1] > now}
            else:
                del self._by_caller[caller]
                return None
        return format_versions(live).encode()

    async def wrote(self, caller: str, written: bytes) -> None:
        """A write seen here: remembered, and told to the other gateways before the client hears back."""
        self.record(caller, written)
        if self.broadcast is not None:
            await self.broadcast.tell(caller, written.decode("latin-1"))


class PostgresBroadcast:
    """Tells every gateway on one database what a caller wrote; listens for what the others saw.

    One connection listens; a small pool sends, since many requests finish at once.
    """

    def __init__(self, dsn: str, versions: WrittenVersions, *, pool_size: int = 4) -> None:
        self._dsn = dsn.replace("postgresql+asyncpg://", "postgresql://")
        self._versions = versions
        self._pool_size = pool_size
        self._listener: asyncpg.Connection | None = None
        self._senders: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def _ready(self) -> asyncpg.Pool:
        if self._senders is None or self._listener is None or self._listener.is_closed():
            async with self._lock:
                if self._listener is None or self._listener.is_closed():
                    listener = await asyncpg.connect(self._dsn)
                    await listener.add_listener(CHANNEL, self._heard)
                    self._listener = listener
                if self._senders is None:
                    self._senders = await asyncpg.create_pool(self._dsn, min_size=1, max_size=self._pool_size)
        return self._senders

    def _heard(self, _conn, _pid, _channel, payload: str) -> None:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            message = json.loads(payload)
            self._versions.record(str(message["caller"]), str(message["written"]))

    async def start(self) -> None:
        try:
            await self._ready()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("not listening for the other gateways' writes yet", error=repr(exc))

    async def tell(self, caller: str, written: str) -> None:
        payload = json.dumps({"caller": caller, "written": written})
        if len(payload) > 7900:
            return  # NOTIFY's limit; the hint is an optimisation, the client still has Portal-Written
        try:
            senders = await self._ready()
            await senders.execute("select pg_notify($1, $2)", CHANNEL, payload)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            # Never the request's failure: the write is done, only the hint to other gateways is lost.
            log.warning("could not tell the other gateways about a write", error=repr(exc))

    async def aclose(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            await self._listener.close()
        if self._senders is not None:
            await self._senders.close()
