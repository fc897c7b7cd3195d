"""The idempotent consumer.

For each record: open one database transaction, record the event id in the
consumer's `inbox` table (a duplicate is skipped), skip an aggregate version
not newer than the last one applied, run the handler, commit, and only then
let the Kafka offset move past it. Offsets are committed at most once per
`commit_interval_seconds` (and whenever partitions are taken away or the
consumer stops), not after every record: a broker round trip saved per batch,
paid for by redelivering up to that interval's records after a crash, which
the inbox absorbs. A handler that fails is retried a bounded number of
times; after that the record is parked on `<topic>.dlq` with the error in its
headers, and only once the park is acknowledged does the offset move on.
Nothing is acknowledged silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from portal_events import Envelope
from servicekit.db import Database
from servicekit.worker import Heartbeat

log = structlog.get_logger("servicekit.consumer")
tracer = trace.get_tracer("servicekit.consumer")

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]


def inbox_tables(metadata: MetaData) -> tuple[Table, Table]:
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), nullable=False),
        Column("event_id", UUID(as_uuid=True), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "event_id"),
    )
    versions = Table(
        "inbox_aggregate_version",
        metadata,
        Column("consumer", String(100), nullable=False),
        Column("aggregate_id", String(200), nullable=False),
        Column("version", BigInteger, nullable=False),
        PrimaryKeyConstraint("consumer", "aggregate_id"),
    )
    return inbox, versions


async def _ignore(session: AsyncSession, envelope: Envelope) -> None:
    """The handler of events a consumer has no use for."""


class Inbox:
    """Decides, inside the handler's transaction, whether an event is new and current."""

    def __init__(self, inbox: Table, versions: Table, consumer: str) -> None:
        self._inbox = inbox
        self._versions = versions
        self._consumer = consumer
        # Counted when the transaction that refused them commits is not known here: these are
        # refusals seen, so a retried transaction may count one twice (they are for operators and tests).
        self.duplicates = 0
        self.stale = 0

    async def accept(self, session: AsyncSession, envelope: Envelope) -> bool:
        """True when this event is new and its version is newer than the aggregate's applied one; then both are
        recorded in the session's transaction. One round trip (an event of a burst is three: this, the effect,
        and its share of the commit)."""
        version = envelope.aggregate_version
        if version is None:
            inserted = await session.execute(
                insert(self._inbox)
                .values(consumer=self._consumer, event_id=envelope.id, event_type=envelope.type)
                .on_conflict_do_nothing()
                .returning(self._inbox.c.event_id)
            )
            if inserted.first() is None:
                self.duplicates += 1
                return False
            return True
        # The version row's upsert takes its row lock, which orders concurrent consumers of one aggregate as
        # SELECT ... FOR UPDATE did; it moves only forward, and only for an event the inbox had not seen.
        row = (await session.execute(self._accept, {
            "consumer": self._consumer, "event_id": envelope.id, "event_type": envelope.type,
            "aggregate_id": envelope.subject, "version": version,
        })).one()
        if not row.fresh:
            self.duplicates += 1
            return False  # seen before
        if not row.moved:
            self.stale += 1
            return False  # stale: a newer state of this aggregate was applied already
        return True

    @property
    def _accept(self):
        statement = self.__dict__.get("_accept_statement")
        if statement is None:
            inbox, versions = self._inbox.name, self._versions.name
            statement = text(
                f"with seen as (insert into {inbox} (consumer, event_id, event_type)"
                f"   values (:consumer, cast(:event_id as uuid), :event_type) on conflict do nothing returning 1),"
                f" moved as (insert into {versions} (consumer, aggregate_id, version)"
                f"   select :consumer, :aggregate_id, :version where exists (select 1 from seen)"
                f"   on conflict (consumer, aggregate_id) do update set version = excluded.version"
                f"   where {versions}.version < excluded.version returning 1)"
                f" select exists (select 1 from seen) as fresh, exists (select 1 from moved) as moved"
            )
            self.__dict__["_accept_statement"] = statement
        return statement


class _CommitBeforeRevoke(ConsumerRebalanceListener):
    """Partitions leaving this instance take their settled offsets with them, so the next owner
    starts right after what was applied here (the inbox would absorb the rest anyway)."""

    def __init__(self, owner: IdempotentConsumer, consumer: AIOKafkaConsumer) -> None:
        self._owner = owner
        self._consumer = consumer

    async def on_partitions_revoked(self, revoked) -> None:
        with contextlib.suppress(Exception):  # the group may already have moved on: redelivery, absorbed
            await self._owner._commit_settled(self._consumer, set(revoked))
        for tp in revoked:
            self._owner._settled.pop(tp, None)
            self._owner._settled_records.pop(tp, None)

    async def on_partitions_assigned(self, assigned) -> None:
        pass


class IdempotentConsumer:
    def __init__(
        self,
        *,
        name: str,
        database: Database,
        inbox: Inbox,
        handlers: Mapping[str, Handler],
        topics: list[str],
        bootstrap_servers: str,
        max_attempts: int = 5,
        retry_backoff_seconds: float = 0.2,
        commit_interval_seconds: float = 1.0,
    ) -> None:
        self.name = name
        self._commit_interval = commit_interval_seconds
        # Settled in the database, not yet committed to the group: partition -> next offset,
        # and how many records that is (what a crash now would redeliver).
        self._settled: dict[TopicPartition, int] = {}
        self._settled_records: dict[TopicPartition, int] = {}
        self._database = database
        self._inbox = inbox
        self._handlers = dict(handlers)
        self._topics = topics
        self._bootstrap = bootstrap_servers
        self._max_attempts = max_attempts
        self._backoff = retry_backoff_seconds
        self._stopping = asyncio.Event()
        self.applied_count = 0
        self.parked_count = 0
        self.heartbeat = Heartbeat()

    def stop(self) -> None:
        self._stopping.set()

    def stats(self) -> dict[str, int]:
        """What this instance has done since it started (the worker's /health/live shows it)."""
        return {"applied": self.applied_count, "duplicates_absorbed": self._inbox.duplicates,
                "stale_skipped": self._inbox.stale, "parked": self.parked_count,
                "applied_not_yet_committed": sum(self._settled_records.values())}

    async def run(self) -> None:
        while not self._stopping.is_set():
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self._bootstrap,
                group_id=self.name,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                client_id=self.name,
            )
            producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap, enable_idempotence=True, acks="all"
            )
            self._settled, self._settled_records = {}, {}
            consumer.subscribe(self._topics, listener=_CommitBeforeRevoke(self, consumer))
            try:
                await consumer.start()
                await producer.start()
                await self._consume(consumer, producer)
                await self._commit_settled(consumer)
            except asyncio.CancelledError:
                break
            except Exception as exc:  # noqa: BLE001 - reconnect after broker outages
                log.warning("consumer error; reconnecting", consumer=self.name, error=repr(exc))
                self.heartbeat.beat(ok=False)
                with contextlib.suppress(TimeoutError):  # asyncio.timeout: see OutboxRelay.run
                    async with asyncio.timeout(1.0):
                        await self._stopping.wait()
            finally:
                with contextlib.suppress(Exception):
                    await consumer.stop()
                with contextlib.suppress(Exception):
                    await producer.stop()

    async def _consume(self, consumer: AIOKafkaConsumer, producer: AIOKafkaProducer) -> None:
        committed_at = time.monotonic()
        while not self._stopping.is_set():
            batches = await consumer.getmany(timeout_ms=500, max_records=200)
            self.heartbeat.beat()
            for partition, records in batches.items():
                if not await self._apply_batch(records):
                    for record in records:
                        await self.process(record, producer)
                # Every record up to here is settled in the database (or parked):
                # only now may the group's position move past them.
                self._settled[partition] = records[-1].offset + 1
                self._settled_records[partition] = self._settled_records.get(partition, 0) + len(records)
            if self._settled and time.monotonic() - committed_at >= self._commit_interval:
                await self._commit_settled(consumer)
                committed_at = time.monotonic()

    async def _commit_settled(self, consumer: AIOKafkaConsumer, partitions=None) -> None:
        offsets = {tp: offset for tp, offset in self._settled.items() if partitions is None or tp in partitions}
        if offsets:
            await consumer.commit(offsets)
            for tp in offsets:
                self._settled.pop(tp, None)
                self._settled_records.pop(tp, None)

    async def process(self, record: ConsumerRecord, producer: AIOKafkaProducer) -> None:
        """Applies one record exactly once, or parks it; returns only when it is settled."""
        try:
            envelope = Envelope.from_kafka(record.headers, record.value)
        except ValueError as exc:
            await self._park(record, producer, f"undecodable: {exc}", attempts=0)
            return
        # An event this consumer does not act on still moves the aggregate's
        # applied version, so a caller waiting to read its own write here
        # (servicekit.consistency) is not kept waiting for nothing.
        handler = self._handlers.get(envelope.type, _ignore)
        parent = propagate.extract({"traceparent": envelope.traceparent or ""})
        token = otel_context.attach(parent)
        try:
            for attempt in range(1, self._max_attempts + 1):
                try:
                    with tracer.start_as_current_span(
                        f"{record.topic} process", kind=trace.SpanKind.CONSUMER,
                        attributes={
                            "messaging.system": "kafka",
                            "messaging.destination.name": record.topic,
                            "messaging.message.id": envelope.id,
                            "messaging.consumer.group.name": self.name,
                            "cloudevents.event_type": envelope.type,
                        },
                    ):
                        await self._apply(envelope, handler)
                    return
                except Exception as exc:  # noqa: BLE001 - retried, then parked
                    log.warning(
                        "handler failed", consumer=self.name, event_id=envelope.id,
                        event_type=envelope.type, attempt=attempt, error=repr(exc),
                    )
                    if attempt == self._max_attempts:
                        await self._park(record, producer, traceback.format_exc(), attempt)
                        return
                    await asyncio.sleep(self._backoff * attempt)
        finally:
            otel_context.detach(token)

    async def _apply_batch(self, records: list[ConsumerRecord]) -> bool:
        """A partition's fetched records in one transaction, in order: one commit instead of one per event
        (a burst of 1,000 events took 3.9 s one by one, measured in `make bench svi`). All or nothing: if any
        record cannot be decoded or its handler fails, nothing of the batch is kept and the records go one by
        one through `process`, with its retries and parking, so order and exactly-once hold either way."""
        if len(records) < 2:
            return False
        try:
            envelopes = [Envelope.from_kafka(r.headers, r.value) for r in records]
        except ValueError:
            return False
        applied = 0
        try:
            async with self._database.transaction() as session:
                for record, envelope in zip(records, envelopes, strict=True):
                    handler = self._handlers.get(envelope.type, _ignore)
                    token = otel_context.attach(propagate.extract({"traceparent": envelope.traceparent or ""}))
                    try:
                        with tracer.start_as_current_span(
                            f"{record.topic} process", kind=trace.SpanKind.CONSUMER,
                            attributes={
                                "messaging.system": "kafka",
                                "messaging.destination.name": record.topic,
                                "messaging.message.id": envelope.id,
                                "messaging.consumer.group.name": self.name,
                                "cloudevents.event_type": envelope.type,
                            },
                        ):
                            if await self._inbox.accept(session, envelope):
                                await handler(session, envelope)
                                applied += 0 if handler is _ignore else 1
                    finally:
                        otel_context.detach(token)
        except Exception as exc:  # noqa: BLE001 - each record is retried alone, then parked if it still fails
            log.info("batch not applied; applying its records one by one", consumer=self.name,
                     records=len(records), error=repr(exc))
            return False
        self.applied_count += applied
        return True

    async def _apply(self, envelope: Envelope, handler: Handler) -> None:
        async with self._database.transaction() as session:
            if await self._inbox.accept(session, envelope):
                await handler(session, envelope)
                if handler is not _ignore:
                    self.applied_count += 1

    async def _park(
        self, record: ConsumerRecord, producer: AIOKafkaProducer, error: str, attempts: int
    ) -> None:
        headers: list[tuple[str, Any]] = list(record.headers or ())
        headers += [
            ("dlq_consumer", self.name.encode()),
            ("dlq_error", error[-4000:].encode()),
            ("dlq_attempts", str(attempts).encode()),
            ("dlq_source_partition", str(record.partition).encode()),
            ("dlq_source_offset", str(record.offset).encode()),
        ]
        await producer.send_and_wait(
            f"{record.topic}.dlq", key=record.key, value=record.value, headers=headers
        )
        self.parked_count += 1
        log.error("event parked", consumer=self.name, topic=record.topic, offset=record.offset)
