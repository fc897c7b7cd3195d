"""Run an ASGI app on uvicorn, in the test's own event loop, on a free loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

import uvicorn


class _Server(uvicorn.Server):
    def capture_signals(self):  # the test runner keeps its own signal handlers
        return contextlib.nullcontext()


class InProcessServer:
    def __init__(self, app: Any, **config: Any) -> None:
        options = {"lifespan": "on", "http": "httptools", **config}
        self._config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", **options
        )
        self._server = _Server(self._config)
        self._task: asyncio.Task | None = None

    async def start(self) -> InProcessServer:
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("the server stopped while starting")
            await asyncio.sleep(0.005)
        return self

    @property
    def port(self) -> int:
        return self._server.servers[0].sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
