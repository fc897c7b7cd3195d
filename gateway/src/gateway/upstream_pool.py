"""The data plane's HTTP/1.1 client: a pool of keep-alive connections per upstream.

Built on asyncio protocols and httptools (uvicorn's own parser) rather than
httpx, by measurement: on the 2-core development machine, proxying through an
httpx.AsyncClient topped out near 1,100 requests/s (a 30 ms median at 32
concurrent clients, against 9,000 requests/s straight to the upstream), while
this client keeps the gateway within the budget of issue §5 (figures in
gateway/README.md; `python -m gateway.bench --spawn` measures them again).
httpx still does the gateway's control-plane calls, where features beat speed.

An `Upstream` is one service: a pool per instance, chosen round robin; a
connect that fails (refused: the instance is down) moves on to the next
instance, since a request that never left cannot have been applied, and that
instance is passed over for a moment. One `UpstreamConnection` carries one
exchange at a time. It knows nothing of
ASGI: the proxy writes a request head and body to it, waits for the response
head, then takes body chunks as they arrive. Reading pauses when too much of
the response is buffered, so a slow client slows the upstream, not our memory.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque
from dataclasses import dataclass
from urllib.parse import urlsplit

import httptools

# Pause reading from the upstream when this much response body waits for the client.
_HIGH_WATER = 256 * 1024
_NO_BODY_STATUSES = frozenset({204, 304})


class UpstreamError(Exception):
    """The upstream could not be reached, or broke off the exchange."""


class UpstreamTimeout(UpstreamError):
    """The upstream did not answer in time."""


class UpstreamSaturated(UpstreamError):
    """Every connection the pool may open to the upstream stayed busy."""


class UpstreamUnreachable(UpstreamError):
    """The connect itself failed (refused, no route): nothing was sent."""


@dataclass(frozen=True)
class UpstreamAddress:
    scheme: str
    host: str
    port: int
    # Prepended to every forwarded path (an upstream mounted below a prefix).
    base_path: bytes
    # The Host header upstream requests carry.
    authority: bytes

    @classmethod
    def parse(cls, url: str) -> UpstreamAddress:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"upstream URL must be http(s)://host[:port][/prefix], got {url!r}")
        default_port = 443 if parts.scheme == "https" else 80
        port = parts.port or default_port
        authority = parts.hostname if port == default_port else f"{parts.hostname}:{port}"
        if ":" in parts.hostname:  # IPv6 literal
            authority = f"[{parts.hostname}]" + ("" if port == default_port else f":{port}")
        return cls(
            scheme=parts.scheme,
            host=parts.hostname,
            port=port,
            base_path=parts.path.rstrip("/").encode(),
            authority=authority.encode(),
        )


def _expire(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_exception(UpstreamTimeout("the upstream did not answer in time"))


class UpstreamConnection(asyncio.Protocol):
    """One keep-alive connection to an upstream and the exchange it carries now."""

    def __init__(self, loop: asyncio.AbstractEventLoop, pool: UpstreamPool) -> None:
        self._loop = loop
        # The instance this connection goes to: its address, and where it returns.
        self.pool = pool
        self._parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reused = False
        self.idle_since = 0.0
        self._write_paused = False
        self._drain_waiter: asyncio.Future | None = None
        self._begin(head_only=False)

    def _begin(self, *, head_only: bool) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.head_complete = False
        self.complete = False
        self.keep_alive = False
        self.received_any = False
        self.error: BaseException | None = None
        self._head_only = head_only
        self._until_close = False
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._reading_paused = False
        self._waiter: asyncio.Future | None = None

    # --- the exchange, as the proxy drives it ---------------------------------

    def start(self, head: bytes, *, head_only: bool) -> None:
        """Begins an exchange by writing the request head (and a small body with it)."""
        self._begin(head_only=head_only)
        if self.closed:
            self.error = UpstreamError("the upstream closed the connection")
            return
        self.transport.write(head)

    def write(self, data: bytes) -> None:
        if not self.closed:
            self.transport.write(data)

    async def drain(self) -> None:
        if self._write_paused and not self.closed:
            self._drain_waiter = self._loop.create_future()
            try:
                await self._drain_waiter
            finally:
                self._drain_waiter = None

    async def read_head(self, wait_seconds: float) -> None:
        while not self.head_complete:
            if self.error is not None:
                raise self.error
            await self._wait(wait_seconds)

    def take_body(self) -> bytes:
        """Everything received so far (maybe empty); reading resumes if it was paused."""
        if not self._chunks:
            return b""
        data = self._chunks[0] if len(self._chunks) == 1 else b"".join(self._chunks)
        self._chunks.clear()
        self._buffered = 0
        if self._reading_paused and not self.closed:
            self._reading_paused = False
            self.transport.resume_reading()
        return data

    async def wait_body(self, wait_seconds: float) -> None:
        """Returns once there is body to take or the response is complete."""
        while not self._chunks and not self.complete:
            if self.error is not None:
                raise self.error
            await self._wait(wait_seconds)

    @property
    def reusable(self) -> bool:
        return self.complete and self.keep_alive and not self.closed

    def close(self) -> None:
        if self.transport is not None and not self.closed:
            self.closed = True
            self.transport.close()

    async def _wait(self, wait_seconds: float) -> None:
        waiter = self._loop.create_future()
        self._waiter = waiter
        timer = self._loop.call_later(wait_seconds, _expire, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiter = None

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _fail(self, error: BaseException) -> None:
        if self.error is None and not self.complete:
            self.error = error
        self._wake()

    # --- asyncio.Protocol -------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.received_any = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(UpstreamError(f"the upstream sent a malformed response: {exc}"))
            self.close()

    def eof_received(self) -> bool:
        return False  # let the transport close; connection_lost settles the exchange

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.head_complete and self._until_close and not self.complete:
            self.complete = True  # a body delimited by the end of the connection
            self.keep_alive = False
            self._wake()
        else:
            self._fail(UpstreamError("the upstream closed the connection"))
        if self._drain_waiter is not None and not self._drain_waiter.done():
            self._drain_waiter.set_result(None)

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        if self._drain_waiter is not None and not self._drain_waiter.done():
            self._drain_waiter.set_result(None)

    # --- httptools callbacks ------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if status < 200:
            # An interim response (we never send Expect, so rarely seen): drop it
            # and read on for the real one.
            self.headers = []
            return
        self.status = status
        self.keep_alive = self._parser.should_keep_alive()
        self.head_complete = True
        if self._head_only:
            # httptools cannot be told that a HEAD response has no body; take the
            # head and retire the connection rather than misread what follows.
            self.complete = True
            self.keep_alive = False
        elif status not in _NO_BODY_STATUSES:
            delimited = any(
                name == b"content-length" or name == b"transfer-encoding"
                for name, _ in self.headers
            )
            self._until_close = not delimited
        self._wake()

    def on_body(self, body: bytes) -> None:
        if self._head_only:
            return
        self._chunks.append(body)
        self._buffered += len(body)
        if self._buffered > _HIGH_WATER and not self._reading_paused and not self.closed:
            self._reading_paused = True
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self.head_complete:
            self.complete = True
            self._wake()


class UpstreamPool:
    """Keep-alive connections to one instance of an upstream, reused last-in first-out."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        max_connections: int = 256,
        connect_timeout: float = 2.0,
        idle_seconds: float = 4.0,
    ) -> None:
        self.name = name
        self.url = url
        self.address = UpstreamAddress.parse(url)
        self._connect_timeout = connect_timeout
        self._idle_seconds = idle_seconds
        self._idle: list[UpstreamConnection] = []
        self._slots = asyncio.Semaphore(max_connections)
        self._ssl = ssl.create_default_context() if self.address.scheme == "https" else None
        # Until when (monotonic) the Upstream passes this instance over: its last connect failed.
        self.unreachable_until = 0.0

    async def acquire(self, *, fresh: bool = False) -> UpstreamConnection:
        if self._slots.locked():
            try:
                async with asyncio.timeout(self._connect_timeout):
                    await self._slots.acquire()
            except TimeoutError:
                raise UpstreamSaturated(f"all connections to {self.name} are busy") from None
        else:
            await self._slots.acquire()
        try:
            if not fresh:
                now = time.monotonic()
                while self._idle:
                    conn = self._idle.pop()
                    if conn.closed or now - conn.idle_since > self._idle_seconds:
                        conn.close()
                        continue
                    conn.reused = True
                    return conn
            return await self._connect()
        except BaseException:
            self._slots.release()
            raise

    def release(self, conn: UpstreamConnection) -> None:
        """Returns a connection after its exchange: kept if clean, closed otherwise."""
        if conn.reusable:
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
        else:
            conn.close()
        self._slots.release()

    async def _connect(self) -> UpstreamConnection:
        loop = asyncio.get_running_loop()
        address = self.address
        try:
            async with asyncio.timeout(self._connect_timeout):
                _, conn = await loop.create_connection(
                    lambda: UpstreamConnection(loop, self),
                    address.host,
                    address.port,
                    ssl=self._ssl,
                    server_hostname=address.host if self._ssl else None,
                )
        except TimeoutError:
            raise UpstreamTimeout(f"connecting to {self.name} timed out") from None
        except OSError as exc:
            raise UpstreamUnreachable(f"{self.name} is unreachable: {exc.strerror or exc}") from None
        return conn

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()


class Upstream:
    """One service's instances: requests spread over them round robin.

    A connect that fails is safe to try elsewhere whatever the method, because
    nothing was sent; the instance is then passed over for `retry_after`
    seconds, so that a dead instance costs one failed connect per interval, not
    one per request. When every instance is passed over, each is tried anyway.
    """

    def __init__(self, name: str, pools: list[UpstreamPool], *, retry_after: float = 1.0) -> None:
        if not pools:
            raise ValueError(f"upstream {name} has no instance")
        self.name = name
        self.pools = tuple(pools)
        self._retry_after = retry_after
        self._next = 0

    async def acquire(self, *, fresh: bool = False) -> UpstreamConnection:
        """A connection to the next instance that accepts one; `conn.pool` says which."""
        pools = self.pools
        if len(pools) == 1:
            return await pools[0].acquire(fresh=fresh)
        count = len(pools)
        first = self._next
        self._next = (first + 1) % count
        now = time.monotonic()
        failure: UpstreamUnreachable | None = None
        passed_over: list[UpstreamPool] = []
        for offset in range(count):
            pool = pools[(first + offset) % count]
            if pool.unreachable_until > now:
                passed_over.append(pool)
                continue
            try:
                return await pool.acquire(fresh=fresh)
            except UpstreamUnreachable as exc:
                pool.unreachable_until = time.monotonic() + self._retry_after
                failure = exc
        for pool in passed_over:  # every other instance failed: one of these may be back
            try:
                return await pool.acquire(fresh=fresh)
            except UpstreamUnreachable as exc:
                pool.unreachable_until = time.monotonic() + self._retry_after
                failure = exc
        raise failure  # type: ignore[misc]  # two or more instances: at least one was tried

    def release(self, conn: UpstreamConnection) -> None:
        conn.pool.release(conn)

    def close(self) -> None:
        for pool in self.pools:
            pool.close()
