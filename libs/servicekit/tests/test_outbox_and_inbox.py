"""The outbox relay and the idempotent consumer against the real PostgreSQL and Kafka (PL-02)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import ClassVar

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from portal_events import Envelope, EventPayload
from servicekit.clock import SystemClock
from servicekit.consumer import IdempotentConsumer, Inbox, inbox_tables
from servicekit.outbox import Outbox, OutboxRelay, outbox_table
from servicekit.testing.kafka import read_topic

metadata = MetaData()
outbox = outbox_table(metadata)
inbox, inbox_versions = inbox_tables(metadata)
# The effect a test handler writes, so a test can count how often it ran.
applied = Table(
    "applied",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("value", String(200)),
)


@pytest.fixture(scope="module")
async def db(kit_database):
    async with kit_database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    return kit_database


class WidgetRenamed(EventPayload):
    event_type: ClassVar[str] = "WidgetRenamed.v1"
    topic: ClassVar[str] = "replaced-per-test"
    aggregate_id_field: ClassVar[str] = "widget_id"

    widget_id: str
    name: str


def event_class(topic: str) -> type[WidgetRenamed]:
    return type("WidgetRenamed", (WidgetRenamed,), {"topic": topic})


def relay_for(database, kafka_bootstrap) -> OutboxRelay:
    return OutboxRelay(dsn=database.url, source="servicekit-test", bootstrap_servers=kafka_bootstrap, poll_seconds=0.2)


async def effect_count(database, subject: str) -> int:
    async with database.transaction() as session:
        return await session.scalar(select(func.count()).select_from(applied).where(applied.c.subject == subject))


@pytest.mark.req("PL-02")
async def test_committed_events_are_published_once_in_order_and_rolled_back_ones_never(db, kafka_bootstrap, topic):
    Event = event_class(topic)
    box = Outbox(outbox, source="servicekit-test", clock=SystemClock())
    widget = str(uuid.uuid4())
    for version in range(1, 6):
        async with db.transaction() as session:
            await box.add(session, Event(widget_id=widget, name=f"name-{version}", version=version))
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await box.add(session, Event(widget_id=widget, name="never", version=99))
            raise RuntimeError("the change failed, so its event must not exist")
    relay = relay_for(db, kafka_bootstrap)
    task = asyncio.create_task(relay.run())
    try:
        records = await read_topic(topic, kafka_bootstrap, expected=5)
    finally:
        relay.stop()
        await task
    envelopes = [Envelope.from_kafka(r.headers, r.value) for r in records]
    assert [e.data["version"] for e in envelopes] == [1, 2, 3, 4, 5]
    assert len({e.id for e in envelopes}) == 5
    assert {r.key.decode() for r in records} == {widget}
    headers = dict(records[0].headers)
    assert headers["ce_type"] == b"WidgetRenamed.v1" and headers["content-type"] == b"application/json"
    assert headers["ce_source"] == b"servicekit-test" and headers["ce_subject"] == widget.encode()


async def _run_consumer(db, kafka_bootstrap, topic, handler, *, max_attempts=3):
    consumer = IdempotentConsumer(
        name=f"test-{uuid.uuid4().hex[:6]}", database=db,
        inbox=Inbox(inbox, inbox_versions, "test-consumer-" + topic),
        handlers={"WidgetRenamed.v1": handler}, topics=[topic], bootstrap_servers=kafka_bootstrap,
        max_attempts=max_attempts, retry_backoff_seconds=0.01,
    )
    return consumer, asyncio.create_task(consumer.run())


async def _produce(kafka_bootstrap, topic, envelopes):
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for e in envelopes:
            await producer.send_and_wait(topic, key=e.subject.encode(), value=e.kafka_value(), headers=e.kafka_headers())
    finally:
        await producer.stop()


async def record_effect(session, envelope):
    await session.execute(
        insert(applied).values(event_id=envelope.id, subject=envelope.subject, value=envelope.data.get("name"))
    )


@pytest.mark.req("PL-02")
async def test_a_redelivered_event_is_applied_once_and_a_stale_version_is_ignored(db, kafka_bootstrap, topic, eventually):
    widget = str(uuid.uuid4())
    v2 = Envelope(type="WidgetRenamed.v1", source="t", subject=widget, data={"widget_id": widget, "name": "two", "version": 2})
    v1 = Envelope(type="WidgetRenamed.v1", source="t", subject=widget, data={"widget_id": widget, "name": "one", "version": 1})
    await _produce(kafka_bootstrap, topic, [v2, v2, v1, v2])  # a duplicate, then an older version, then the duplicate again
    consumer, task = await _run_consumer(db, kafka_bootstrap, topic, record_effect)
    try:
        await eventually(lambda: _inbox_seen(db, topic, 2))
        await asyncio.sleep(0.5)
    finally:
        consumer.stop()
        await task
    async with db.transaction() as session:
        values = (await session.execute(select(applied.c.value).where(applied.c.subject == widget))).scalars().all()
    assert values == ["two"]


async def _inbox_seen(database, topic: str, count: int) -> bool:
    async with database.transaction() as session:
        seen = await session.scalar(
            select(func.count()).select_from(inbox).where(inbox.c.consumer == "test-consumer-" + topic)
        )
    return seen >= count


@pytest.mark.req("PL-02")
async def test_a_batch_is_applied_whole_or_its_records_one_by_one_each_once_in_order(
    db, kafka_bootstrap, topic, eventually,
):
    """A partition's fetched records go in one transaction; a poison record in it sends them one by one."""
    attempts: dict[str, int] = {}

    async def fragile(session, envelope):
        attempts[envelope.subject] = attempts.get(envelope.subject, 0) + 1
        if envelope.data["name"] == "poison":
            raise ValueError("cannot apply a poison event")
        await record_effect(session, envelope)

    widgets = [str(uuid.uuid4()) for _ in range(5)]
    envelopes = [Envelope(type="WidgetRenamed.v1", source="t", subject=w,
                          data={"widget_id": w, "name": "poison" if i == 2 else f"name {i}", "version": 1})
                 for i, w in enumerate(widgets)]
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:  # one key: one partition, fetched together
        for e in envelopes:
            await producer.send_and_wait(topic, key=b"one-partition", value=e.kafka_value(), headers=e.kafka_headers())
    finally:
        await producer.stop()
    consumer, task = await _run_consumer(db, kafka_bootstrap, topic, fragile, max_attempts=3)
    try:
        await eventually(lambda: effect_count(db, widgets[4]))
        parked = await read_topic(f"{topic}.dlq", kafka_bootstrap, expected=1)
    finally:
        consumer.stop()
        await task
    assert [await effect_count(db, w) for w in widgets] == [1, 1, 0, 1, 1]  # each once; the poison never
    assert attempts[widgets[2]] == 4  # once in the batch, then three times alone
    assert dict(parked[0].headers)["dlq_attempts"] == b"3"
    async with db.transaction() as session:
        order = (await session.execute(select(applied.c.subject).where(applied.c.subject.in_(widgets))
                                        .order_by(applied.c.id))).scalars().all()
    assert order == [widgets[0], widgets[1], widgets[3], widgets[4]]


@pytest.mark.req("PL-02")
async def test_a_failing_event_is_retried_then_parked_and_the_next_ones_still_flow(db, kafka_bootstrap, topic, eventually):
    attempts: dict[str, int] = {}

    async def fragile(session, envelope):
        attempts[envelope.subject] = attempts.get(envelope.subject, 0) + 1
        if envelope.data["name"] == "poison":
            raise ValueError("cannot apply a poison event")
        await record_effect(session, envelope)

    poison, good = str(uuid.uuid4()), str(uuid.uuid4())
    await _produce(kafka_bootstrap, topic, [
        Envelope(type="WidgetRenamed.v1", source="t", subject=poison, data={"widget_id": poison, "name": "poison", "version": 1}),
        Envelope(type="WidgetRenamed.v1", source="t", subject=good, data={"widget_id": good, "name": "fine", "version": 1}),
    ])
    consumer, task = await _run_consumer(db, kafka_bootstrap, topic, fragile, max_attempts=3)
    try:
        await eventually(lambda: effect_count(db, good))
        parked = await read_topic(f"{topic}.dlq", kafka_bootstrap, expected=1)
    finally:
        consumer.stop()
        await task
    # 3 attempts alone; one more when both events landed in one partition's batch (tried whole first).
    assert attempts[poison] in (3, 4)
    assert len(parked) == 1
    headers = dict(parked[0].headers)
    assert b"cannot apply a poison event" in headers["dlq_error"]
    assert headers["dlq_attempts"] == b"3"
    assert await effect_count(db, poison) == 0  # the failed attempts left nothing behind


async def test_a_record_that_is_not_a_cloudevent_is_parked_not_dropped(db, kafka_bootstrap, topic):
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    await producer.send_and_wait(topic, key=b"k", value=b"not json", headers=[])
    await producer.stop()
    consumer, task = await _run_consumer(db, kafka_bootstrap, topic, record_effect)
    try:
        parked = await read_topic(f"{topic}.dlq", kafka_bootstrap, expected=1)
    finally:
        consumer.stop()
        await task
    assert len(parked) == 1 and parked[0].value == b"not json"
    assert b"undecodable" in dict(parked[0].headers)["dlq_error"]


def test_envelope_survives_the_round_trip():
    e = Envelope(type="X.v1", source="s", subject="a", data={"version": 3, "k": "v"}, time=datetime(2026, 1, 1, tzinfo=UTC))
    back = Envelope.from_kafka(e.kafka_headers(), e.kafka_value())
    assert back == e and back.aggregate_version == 3
