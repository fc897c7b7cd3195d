"""The transactional outbox and its relay.

`Outbox.add` writes an event into the service's `outbox` table in the same
transaction as the change that caused it, and `pg_notify`s the relay (the
notification is delivered only if that transaction commits). The relay,
running in the service's worker process, wakes on the notification or on a
polling interval, publishes a batch through an idempotent producer with
`acks=all`, waits for every acknowledgement, and only then marks the rows
published. A crash between the two publishes an event again; consumers
deduplicate by id.

Several relays (one per worker process) share the work without reordering
one aggregate's events: the outbox is cut into `SHARDS` shards by a hash of
the event key (the aggregate id), and a relay publishes only the shards whose
PostgreSQL advisory lock it holds on its connection. So one aggregate's events
are only ever published by one relay at a time, oldest first. Relays count
each other (their connections' `application_name`) and keep a fair share: a
relay above its share releases shards between batches, never during one; a
relay that dies loses its locks with its connection, and the others take its
shards over and publish what it left unmarked, again in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import time
import uuid
import zlib
from datetime import datetime
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from opentelemetry import context as otel_context
from opentelemetry import propagate
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from portal_events import Envelope, EventPayload
from servicekit.clock import Clock
from servicekit.db import WRITTEN_KEY
from servicekit.worker import Heartbeat

log = structlog.get_logger("servicekit.outbox")


def outbox_table(metadata: MetaData) -> Table:
    table = Table(
        "outbox",
        metadata,
        Column("seq", BigInteger, Identity(always=True), primary_key=True),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("traceparent", String(100)),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text),
    )
    # The relay reads only what is unpublished, oldest first.
    Index("outbox_unpublished", table.c.seq, postgresql_where=table.c.published_at.is_(None))
    return table


def notify_channel(service_name: str) -> str:
    return f"outbox_{service_name.replace('-', '_')}"


def kafka_is_instrumented() -> bool:
    from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor

    return AIOKafkaInstrumentor().is_instrumented_by_opentelemetry


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def written_versions(session: AsyncSession) -> dict[tuple[str, str], int]:
    """(topic, aggregate id) -> newest version this session put in the outbox.

    The HTTP edge tells the client these after the commit (`Portal-Written`),
    so a later request to a service that reads them as events can wait for them
    (servicekit.consistency).
    """
    return session.info.setdefault(WRITTEN_KEY, {})


class Outbox:
    """Writes events in the caller's transaction. Bound once per service at bootstrap.

    Only `servicekit.store.AggregateRepository` calls `add`: events leave
    through the store that saved the change, never by a use case's hand.
    """

    def __init__(self, table: Table, *, source: str, clock: Clock) -> None:
        self._table = table
        self._source = source
        self._channel = notify_channel(source)
        self._clock = clock
        self._insert = insert(table).returning(func.pg_notify(self._channel, ""))

    async def add(self, session: AsyncSession, event: EventPayload) -> uuid.UUID:
        event_id = uuid.uuid4()
        # Values as parameters of one statement built once (not `.values(...)` per call, whose coercion of every
        # value, the JSON payload's included, was a third of a request's CPU in documents' profile); the relay's
        # wake-up rides on the insert (delivered at commit, as a separate NOTIFY would be): one round trip.
        await session.execute(self._insert, {
            "event_id": event_id,
            "topic": event.topic,
            "key": event.aggregate_id,
            "event_type": event.event_type,
            "subject": event.aggregate_id,
            "payload": event.model_dump(mode="json"),
            "traceparent": current_traceparent(),
            "occurred_at": self._clock.now(),
        })
        written = written_versions(session)
        key = (event.topic, event.aggregate_id)
        written[key] = max(event.version, written.get(key, 0))
        return event_id


SHARDS = 32
# How often a relay recounts its peers and adjusts the shards it holds.
BALANCE_SECONDS = 0.5


class ShardLeases:
    """The outbox shards this relay may publish: advisory locks held on its work connection."""

    def __init__(self, source: str, shards: int = SHARDS) -> None:
        self.application_name = f"outbox-relay:{source}"[:63]
        # One lock space per service, so relays of two services sharing a server never collide.
        self._space = zlib.crc32(source.encode()) & 0x7FFFFFFF
        self.shards = shards
        self.held: set[int] = set()
        self._balanced_at = 0.0

    def lost(self) -> None:
        """The connection dropped, and its locks with it."""
        self.held = set()
        self._balanced_at = 0.0

    async def balance(self, conn: asyncpg.Connection) -> None:
        if time.monotonic() - self._balanced_at < BALANCE_SECONDS:
            return
        self._balanced_at = time.monotonic()
        peers = await conn.fetchval(
            "select count(*) from pg_stat_activity where application_name = $1 and datname = current_database()",
            self.application_name,
        )
        share = math.ceil(self.shards / max(1, peers))
        for shard in sorted(self.held)[share:]:
            await conn.execute("select pg_advisory_unlock($1, $2)", self._space, shard)
            self.held.discard(shard)
        free = [s for s in range(self.shards) if s not in self.held]
        random.shuffle(free)  # so two relays starting together do not fight over the same ones
        for shard in free:
            if len(self.held) >= share:
                break
            if await conn.fetchval("select pg_try_advisory_lock($1, $2)", self._space, shard):
                self.held.add(shard)


class OutboxRelay:
    def __init__(
        self,
        *,
        dsn: str,
        source: str,
        bootstrap_servers: str,
        batch_size: int = 200,
        poll_seconds: float = 1.0,
        shards: int = SHARDS,
    ) -> None:
        # asyncpg wants a plain postgres DSN, not SQLAlchemy's driver-qualified one.
        self._dsn = dsn.replace("postgresql+asyncpg://", "postgresql://")
        self._source = source
        self._channel = notify_channel(source)
        self._bootstrap = bootstrap_servers
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self.published_count = 0
        self.leases = ShardLeases(source, shards)
        self._shards = shards
        self.heartbeat = Heartbeat()

    def _on_notify(self, *_: Any) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Publishes until `stop()`; survives broker and database outages by retrying."""
        producer: AIOKafkaProducer | None = None
        listen_conn: asyncpg.Connection | None = None
        work_conn: asyncpg.Connection | None = None
        while not self._stopping.is_set():
            try:
                if listen_conn is None or listen_conn.is_closed():
                    listen_conn = await asyncpg.connect(self._dsn)
                    await listen_conn.add_listener(self._channel, self._on_notify)
                if work_conn is None or work_conn.is_closed():
                    self.leases.lost()
                    work_conn = await asyncpg.connect(
                        self._dsn, server_settings={"application_name": self.leases.application_name}
                    )
                if producer is None:
                    producer = AIOKafkaProducer(
                        bootstrap_servers=self._bootstrap,
                        enable_idempotence=True,
                        acks="all",
                        linger_ms=2,
                        request_timeout_ms=10000,
                        client_id=f"{self._source}-outbox-relay",
                    )
                    await producer.start()
                await self.leases.balance(work_conn)
                published = await self._publish_batch(work_conn, producer)
                self.heartbeat.beat()
                if published >= self._batch_size:
                    continue  # more may be waiting
                # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation that
                # arrives as the wake-up does, and a cancelled relay must stop (seen in test_relay_ordering).
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll_seconds):
                        await self._wake.wait()
                self._wake.clear()
            except asyncio.CancelledError:
                break
            except Exception as exc:  # noqa: BLE001 - the relay must outlive outages
                log.warning("outbox relay error; retrying", error=repr(exc))
                self.heartbeat.beat(ok=False)
                if producer is not None:
                    with contextlib.suppress(Exception):
                        await producer.stop()
                    producer = None
                for conn in (listen_conn, work_conn):
                    if conn is not None:
                        with contextlib.suppress(Exception):
                            await conn.close()
                listen_conn = work_conn = None
                self.leases.lost()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(1.0):
                        await self._stopping.wait()
        # Bounded: a relay told to stop must stop, even if the broker or the database does not answer.
        # The producer first (what it still holds is flushed), then the connection and its shard locks.
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), timeout=10)
        for conn in (listen_conn, work_conn):
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close(timeout=5)

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def stats(self) -> dict[str, int]:
        return {"published": self.published_count, "shards_held": len(self.leases.held)}

    async def _publish_batch(self, conn: asyncpg.Connection, producer: AIOKafkaProducer) -> int:
        if not self.leases.held:
            return 0
        async with conn.transaction():
            rows = await conn.fetch(
                "select seq, event_id, topic, key, event_type, subject, payload, traceparent,"
                " occurred_at from outbox where published_at is null"
                " and (hashtext(key) & 2147483647) % $2 = any($3::int[])"
                " order by seq limit $1",
                self._batch_size, self._shards, sorted(self.leases.held),
            )
            if not rows:
                return 0
            futures = []
            for row in rows:
                futures.append(await self._send(producer, row))
            # Every acknowledgement (acks=all) before marking: a failure rolls the claim back.
            await asyncio.gather(*futures)
            await conn.execute(
                "update outbox set published_at = now(), attempts = attempts + 1"
                " where seq = any($1::bigint[])",
                [row["seq"] for row in rows],
            )
        self.published_count += len(rows)
        return len(rows)

    async def _send(self, producer: AIOKafkaProducer, row: asyncpg.Record) -> asyncio.Future:
        payload = row["payload"]
        data = json.loads(payload) if isinstance(payload, str) else payload
        envelope = Envelope(
            id=str(row["event_id"]),
            type=row["event_type"],
            source=self._source,
            subject=row["subject"],
            time=row["occurred_at"] if isinstance(row["occurred_at"], datetime) else None,
            data=data,
            traceparent=row["traceparent"],
        )
        # Send under the originating request's trace, so the producer span (and the
        # traceparent header the instrumentation writes) continue that trace.
        token = None
        if row["traceparent"]:
            token = otel_context.attach(propagate.extract({"traceparent": row["traceparent"]}))
        try:
            return await producer.send(
                row["topic"],
                key=row["key"].encode(),
                value=envelope.kafka_value(),
                # The aiokafka instrumentation appends the producer span's traceparent;
                # without it, the stored one travels as is.
                headers=envelope.kafka_headers(include_traceparent=not kafka_is_instrumented()),
            )
        finally:
            if token is not None:
                otel_context.detach(token)
