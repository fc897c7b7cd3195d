"""Several relays on one outbox: each aggregate's events still reach Kafka in version order (PL-02)."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import ClassVar

import pytest
from sqlalchemy import MetaData

from portal_events import Envelope, EventPayload
from servicekit.clock import SystemClock
from servicekit.db import Database
from servicekit.outbox import Outbox, OutboxRelay, outbox_table
from servicekit.testing.databases import scratch_database
from servicekit.testing.kafka import read_topic

metadata = MetaData()
outbox = outbox_table(metadata)
SOURCE = "servicekit-relay-test"


class WidgetRenamed(EventPayload):
    event_type: ClassVar[str] = "WidgetRenamed.v1"
    topic: ClassVar[str] = "replaced-per-test"
    aggregate_id_field: ClassVar[str] = "widget_id"

    widget_id: str
    name: str


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    """An outbox of its own: no other test's relay may publish these rows."""
    url = await scratch_database("servicekit_relays")
    database = Database(url, pool_size=4, outbox=Outbox(outbox, source=SOURCE, clock=SystemClock()))
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield database
    await database.dispose()


async def write_interleaved(db: Database, topic: str, widgets: list[str], versions: range) -> None:
    Event = type("WidgetRenamed", (WidgetRenamed,), {"topic": topic})
    box = Outbox(outbox, source=SOURCE, clock=SystemClock())
    for version in versions:
        for widget in widgets:
            async with db.transaction() as session:
                await box.add(session, Event(widget_id=widget, name=f"v{version}", version=version))


def relay(db: Database, kafka_bootstrap: str) -> OutboxRelay:
    # Small batches, so every relay has many turns and a shard changes hands while events wait.
    return OutboxRelay(dsn=db.url, source=SOURCE, bootstrap_servers=kafka_bootstrap, batch_size=7, poll_seconds=0.1)


async def shared_out(relays: list[OutboxRelay]) -> None:
    """Waits until the relays have split the shards between them."""
    deadline = asyncio.get_running_loop().time() + 20
    while asyncio.get_running_loop().time() < deadline:
        held = [r.leases.held for r in relays]
        if all(held) and sum(map(len, held)) == len(set().union(*held)) == relays[0].leases.shards:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the relays never shared the shards: {[sorted(r.leases.held) for r in relays]}")


def first_deliveries_by_key(records) -> dict[str, list[int]]:
    """Each aggregate's versions in the order first delivered (a redelivered event id counts once)."""
    seen: set[str] = set()
    by_key: dict[str, list[int]] = defaultdict(list)
    for record in records:
        envelope = Envelope.from_kafka(record.headers, record.value)
        if envelope.id in seen:
            continue
        seen.add(envelope.id)
        by_key[envelope.subject].append(envelope.data["version"])
    return by_key


@pytest.mark.req("PL-02")
async def test_two_relays_share_the_outbox_and_publish_each_aggregate_in_version_order(db, kafka_bootstrap, topic):
    widgets = [str(uuid.uuid4()) for _ in range(24)]
    relays = [relay(db, kafka_bootstrap) for _ in range(2)]
    tasks = [asyncio.create_task(r.run()) for r in relays]
    await shared_out(relays)
    await write_interleaved(db, topic, widgets, range(1, 11))
    try:
        records = await read_topic(topic, kafka_bootstrap, expected=240, within=60)
    finally:
        for r in relays:
            r.stop()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
    by_key = first_deliveries_by_key(records)
    assert set(by_key) == set(widgets)
    assert all(versions == list(range(1, 11)) for versions in by_key.values()), by_key
    # Both relays did part of the work: the shards were shared, not left to one.
    assert all(r.published_count > 0 for r in relays), [r.published_count for r in relays]
    assert sum(r.published_count for r in relays) == 240


@pytest.mark.timeout(300)
@pytest.mark.req("PL-02")
async def test_a_relay_that_dies_mid_way_leaves_its_shards_to_the_other_and_nothing_is_lost_or_reordered(
    db, kafka_bootstrap, topic
):
    widgets = [str(uuid.uuid4()) for _ in range(16)]
    survivor, doomed = relay(db, kafka_bootstrap), relay(db, kafka_bootstrap)
    tasks = [asyncio.create_task(survivor.run()), asyncio.create_task(doomed.run())]
    await shared_out([survivor, doomed])
    writer = asyncio.create_task(write_interleaved(db, topic, widgets, range(1, 21)))
    deadline = asyncio.get_running_loop().time() + 60
    while doomed.published_count < 20 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    assert doomed.published_count >= 20, "the doomed relay never got to work"
    tasks[1].cancel()  # dies between or inside a batch; its connection (and its locks) go with it
    await asyncio.wait_for(asyncio.gather(tasks[1], return_exceptions=True), timeout=30)
    await writer
    try:
        records = await read_topic(topic, kafka_bootstrap, expected=320, within=60)
    finally:
        survivor.stop()
        await asyncio.wait_for(tasks[0], timeout=30)
    by_key = first_deliveries_by_key(records)
    assert set(by_key) == set(widgets)
    assert all(versions == list(range(1, 21)) for versions in by_key.values()), by_key
    assert survivor.leases.held, "the survivor took the dead relay's shards"
