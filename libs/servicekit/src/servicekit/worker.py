"""The `work` verb: runs a service's outbox relay and consumers until SIGTERM/SIGINT.

Each component beats a `Heartbeat` on every turn of its loop, and marks the
turns that succeeded; a small health server (uvicorn, loopback) answers
`/health/live` (every loop is turning) and `/health/ready` (every loop has
recently done its work: the broker and the database answer), so an operator
or an orchestrator can tell a stuck worker from a waiting one.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from typing import Protocol

import structlog

log = structlog.get_logger("servicekit.worker")


class Heartbeat:
    def __init__(self) -> None:
        self.last_beat = time.monotonic()
        self.last_success = self.last_beat

    def beat(self, *, ok: bool = True) -> None:
        self.last_beat = time.monotonic()
        if ok:
            self.last_success = self.last_beat

    def alive(self, within: float) -> bool:
        return time.monotonic() - self.last_beat <= within

    def working(self, within: float) -> bool:
        return time.monotonic() - self.last_success <= within


class Runnable(Protocol):
    heartbeat: Heartbeat

    async def run(self) -> None: ...

    def stop(self) -> None: ...


def health_app(components: tuple[Runnable, ...], *, within: float = 60.0):
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    def name(i: int, component: Runnable) -> str:
        return getattr(component, "name", None) or type(component).__name__ + f"#{i}"

    def report(check) -> JSONResponse:
        states = {name(i, c): check(c.heartbeat) for i, c in enumerate(components)}
        ok = all(states.values())
        # What each loop has done since the process started: operators' (and the fault test's) view.
        stats = {name(i, c): c.stats() for i, c in enumerate(components) if hasattr(c, "stats")}
        return JSONResponse({"status": "ok" if ok else "unavailable",
                             "components": {k: "ok" if v else "failing" for k, v in states.items()},
                             "stats": stats},
                            status_code=200 if ok else 503)

    async def live(_request) -> JSONResponse:
        return report(lambda h: h.alive(within))

    async def ready(_request) -> JSONResponse:
        return report(lambda h: h.working(within))

    return Starlette(routes=[Route("/health/live", live), Route("/health/ready", ready)])


async def run_until_signalled(*components: Runnable, health_port: int | None = None, host: str = "127.0.0.1") -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(c.run()) for c in components]
    server = None
    if health_port:
        import uvicorn

        server = uvicorn.Server(uvicorn.Config(health_app(components), host=host, port=health_port,
                                               log_level="warning", access_log=False, lifespan="off"))
        server.install_signal_handlers = lambda: None  # the worker handles signals itself
        tasks.append(asyncio.create_task(server.serve()))
    log.info("worker started", components=[type(c).__name__ for c in components], health_port=health_port)
    done_waiter = asyncio.create_task(stop.wait())
    await asyncio.wait([done_waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    for component in components:
        component.stop()
    if server is not None:
        server.should_exit = True
    await asyncio.wait(tasks, timeout=10)
    for task in tasks:
        task.cancel()
    log.info("worker stopped")


class Periodic:
    """A worker loop that runs `job` every `seconds` (housekeeping: expired rows, windows to open).

    `job` returns how much it did; the sum shows on the worker's `/health/live` under `name`. A failure is
    logged and tried again at the next tick: housekeeping never stops the worker. Between runs the loop beats
    every few seconds, so a job that runs every five minutes still shows alive (and ready while its last run
    succeeded). Safe with several workers when the job is (a guarded delete, a version-checked save).
    """

    BEAT_SECONDS = 5.0

    def __init__(self, name: str, job, *, seconds: float) -> None:
        self.name = name
        self._job = job
        self._seconds = seconds
        self._stopping = asyncio.Event()
        self.heartbeat = Heartbeat()
        self.done = 0

    def stop(self) -> None:
        self._stopping.set()

    def stats(self) -> dict[str, int]:
        return {"done": self.done}

    async def run(self) -> None:
        healthy, next_run = True, 0.0
        while not self._stopping.is_set():
            if time.monotonic() >= next_run:
                try:
                    self.done += await self._job()
                    healthy = True
                except Exception as exc:  # noqa: BLE001 - housekeeping waits for the next tick
                    healthy = False
                    # Not even a broken log stream stops the loop (seen in tests, whose captured stderr closes).
                    with contextlib.suppress(Exception):
                        log.warning("periodic job failed", job=self.name, error=repr(exc))
                next_run = time.monotonic() + self._seconds
            self.heartbeat.beat(ok=healthy)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(),
                                       timeout=max(0.0, min(self.BEAT_SECONDS, next_run - time.monotonic())))
