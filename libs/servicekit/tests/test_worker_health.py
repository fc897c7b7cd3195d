"""A worker tells a stuck loop from a waiting one (PL-06)."""

from __future__ import annotations

import httpx
import pytest

from servicekit.worker import Heartbeat, health_app


class Component:
    def __init__(self) -> None:
        self.heartbeat = Heartbeat()


@pytest.mark.req("PL-06")
async def test_live_while_every_loop_turns_ready_while_every_loop_works():
    relay, consumer = Component(), Component()
    app = health_app((relay, consumer), within=60)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://worker") as client:
        assert (await client.get("/health/live")).status_code == 200
        assert (await client.get("/health/ready")).status_code == 200
        consumer.heartbeat.last_success -= 120  # the broker has refused it for two minutes
        consumer.heartbeat.beat(ok=False)
        assert (await client.get("/health/live")).status_code == 200
        not_ready = await client.get("/health/ready")
        assert not_ready.status_code == 503 and not_ready.json()["components"]["Component#1"] == "failing"
        relay.heartbeat.last_beat -= 120  # a loop that stopped turning
        assert (await client.get("/health/live")).status_code == 503


async def test_a_periodic_job_runs_every_tick_counts_what_it_did_and_survives_a_failure():
    import asyncio

    from servicekit.worker import Periodic

    calls = []

    async def job() -> int:
        calls.append(len(calls))
        if len(calls) == 2:
            raise RuntimeError("the database blinked")
        return 5

    periodic = Periodic("sweeper", job, seconds=0.01)
    task = asyncio.create_task(periodic.run())
    async with asyncio.timeout(5):
        while len(calls) < 4:
            await asyncio.sleep(0.01)
    periodic.stop()
    await asyncio.wait_for(task, 5)
    assert periodic.done == 5 * (len(calls) - 1)  # every tick but the failed one
    assert periodic.stats() == {"done": periodic.done} and periodic.heartbeat.alive(5)


async def test_a_periodic_job_that_runs_rarely_still_beats_between_runs():
    import asyncio
    import time

    from servicekit.worker import Periodic

    async def job() -> int:
        return 1

    periodic = Periodic("rare", job, seconds=3600)
    periodic.BEAT_SECONDS = 0.02
    task = asyncio.create_task(periodic.run())
    await asyncio.sleep(0.1)
    first = periodic.heartbeat.last_beat
    await asyncio.sleep(0.1)
    periodic.stop()
    await asyncio.wait_for(task, 5)
    assert periodic.done == 1  # ran once; the next run is an hour away
    assert periodic.heartbeat.last_beat > first and time.monotonic() - periodic.heartbeat.last_beat < 1
    assert periodic.heartbeat.working(1)  # its last run succeeded: ready
