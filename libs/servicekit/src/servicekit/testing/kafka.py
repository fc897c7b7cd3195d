"""Reading a topic from the start, as an outside subscriber would, in tests."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, ConsumerRecord


async def read_topic(topic: str, bootstrap_servers: str, expected: int, within: float = 20.0) -> list[ConsumerRecord]:
    """Every record until `expected` arrived (or `within` seconds), then half a second more to catch duplicates."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap_servers, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while len(records) < expected and loop.time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=300)).values():
                records.extend(batch)
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            records.extend(batch)
    finally:
        await consumer.stop()
    return records
