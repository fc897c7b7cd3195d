"""The `work` verb: runs a service's outbox relay and consumers until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import signal
from typing import Protocol

import structlog

log = structlog.get_logger("servicekit.worker")


class Runnable(Protocol):
    async def run(self) -> None: ...

    def stop(self) -> None: ...


async def run_until_signalled(*components: Runnable) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(c.run()) for c in components]
    log.info("worker started", components=[type(c).__name__ for c in components])
    done_waiter = asyncio.create_task(stop.wait())
    await asyncio.wait([done_waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    for component in components:
        component.stop()
    await asyncio.wait(tasks, timeout=10)
    for task in tasks:
        task.cancel()
    log.info("worker stopped")
