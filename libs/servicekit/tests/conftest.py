"""servicekit's integration fixtures: a scratch database and fresh topics on the real broker."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from servicekit.db import Database
from servicekit.testing.databases import scratch_database
from servicekit.testing.pytest_plugin import require_env


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return require_env("KAFKA_BOOTSTRAP_SERVERS")


@pytest.fixture(scope="session")
async def kit_database() -> AsyncIterator[Database]:
    url = await scratch_database("servicekit_test")
    database = Database(url, pool_size=5)
    yield database
    await database.dispose()


@pytest.fixture
async def topic(kafka_bootstrap: str) -> AsyncIterator[str]:
    """A fresh topic (and its .dlq) per test, so tests never see each other's records."""
    name = f"servicekit-test-{uuid.uuid4().hex[:10]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 3, 1), NewTopic(f"{name}.dlq", 1, 1)])
        yield name
        await admin.delete_topics([name, f"{name}.dlq"])
    finally:
        await admin.close()


async def _eventually(predicate, timeout: float = 20.0, interval: float = 0.05):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await predicate()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


@pytest.fixture
def eventually():
    """Polls an async predicate until it returns something truthy, within a bounded time."""
    return _eventually
