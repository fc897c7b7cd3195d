"""Commit-to-consumer latency of UserEmailChanged at 100 events/s: identity's outbox, its running relay, Kafka.

Goal: p99 <= 100 ms.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from typing import ClassVar

from aiokafka import AIOKafkaConsumer

from bench.load import verdict
from bench.report import report
from identity.settings import IdentitySettings
from portal_events.identity import UserEmailChanged


class BenchUserEmailChanged(UserEmailChanged):
    """The real event on a topic of its own, so the measurement never reaches real consumers."""

    topic: ClassVar[str] = "bench.identity.user.v1"


async def ensure_bench_topic(bootstrap: str) -> None:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        if BenchUserEmailChanged.topic not in await admin.list_topics():
            await admin.create_topics([NewTopic(BenchUserEmailChanged.topic, 3, 1)])
    finally:
        await admin.close()


async def propagation(rate: int = 100, seconds: float = 10.0) -> list[float]:
    """Writes UserEmailChanged through identity's outbox and relay at `rate`/s; measures commit to consumer."""
    from identity import tables
    from servicekit.clock import SystemClock
    from servicekit.db import Database
    from servicekit.outbox import Outbox

    settings = IdentitySettings()
    await ensure_bench_topic(settings.kafka_bootstrap_servers)
    database = Database(settings.database_url, pool_size=4)
    outbox = Outbox(tables.outbox, source="identity", clock=SystemClock())
    consumer = AIOKafkaConsumer(
        BenchUserEmailChanged.topic, bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"bench-{uuid.uuid4().hex[:8]}", auto_offset_reset="latest",
    )
    await consumer.start()
    while not consumer.assignment():
        await consumer.getmany(timeout_ms=100)
    bench_user = uuid.uuid4()
    committed_at: dict[int, float] = {}
    latencies: list[float] = []
    total = int(rate * seconds)

    async def produce() -> None:
        start = time.monotonic()
        for n in range(1, total + 1):
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            async with database.transaction() as session:
                await outbox.add(session, BenchUserEmailChanged(
                    user_id=bench_user, version=n, occurred_at=datetime.now(UTC),
                    old_email=f"a{n}@bench.example", new_email=f"b{n}@bench.example",
                ))
            committed_at[n] = time.monotonic()

    async def consume() -> None:
        deadline = time.monotonic() + seconds + 30
        while len(latencies) < total and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            received = time.monotonic()
            for records in batch.values():
                for record in records:
                    payload = json.loads(record.value)
                    if record.key == str(bench_user).encode() and payload["version"] in committed_at:
                        latencies.append((received - committed_at[payload["version"]]) * 1000)

    await asyncio.gather(produce(), consume())
    await consumer.stop()
    await database.dispose()
    return latencies


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


async def event_propagation() -> None:
    latencies = await propagation()
    if not latencies:
        report("events   no event arrived: is the identity worker running?")
        return
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    report(
        f"events   UserEmailChanged commit->consumer at 100/s: n={len(latencies)} p50 {p50:.1f} ms "
        f"p99 {p99:.1f} ms max {max(latencies):.1f} ms ({verdict(p99 <= 100)} p99 <= 100 ms)"
    )
