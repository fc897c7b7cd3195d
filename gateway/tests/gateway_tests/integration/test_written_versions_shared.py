"""Two gateways on one database: a write seen by one is carried by the other on the caller's next request."""

from __future__ import annotations

import asyncio

from gateway.read_your_writes import PostgresBroadcast, WrittenVersions
from servicekit.testing.pytest_plugin import require_env


async def test_a_write_told_by_one_gateway_is_known_to_the_other_and_many_at_once_do_not_collide():
    url = require_env("PORTAL_PG_ADMIN_URL")  # any database both can reach: NOTIFY needs no table
    first, second = WrittenVersions(), WrittenVersions()
    first.broadcast = PostgresBroadcast(url, first)
    second.broadcast = PostgresBroadcast(url, second)
    try:
        await first.broadcast.start()
        await second.broadcast.start()
        # Many requests finishing at once on one gateway (a single connection refused concurrent use).
        await asyncio.gather(*(first.wrote(f"user:{i}", f"identity.user.v1/{i}=2".encode()) for i in range(40)))
        for _ in range(200):
            if all(second.read_after(f"user:{i}") for i in range(40)):
                break
            await asyncio.sleep(0.01)
        assert second.read_after("user:7") == b"identity.user.v1/7=2"
        assert all(second.read_after(f"user:{i}") for i in range(40))
    finally:
        await first.broadcast.aclose()
        await second.broadcast.aclose()
