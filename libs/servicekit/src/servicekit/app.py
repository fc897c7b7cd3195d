"""`build_app`: the FastAPI application every service starts from, looking the same from outside."""

from __future__ import annotations

import gc
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.consistency import ReadAfter, ReadAfterMiddleware
from servicekit.health import health_router
from servicekit.openapi import document_problems
from servicekit.problems import install_problem_handlers
from servicekit.runtime import Runtime
from servicekit.telemetry import instrument_app

REQUEST_ID_HEADER = "x-request-id"


class RequestIdMiddleware:
    """Keeps the caller's request id (or makes one) and echoes it on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = value[:100]
                break
        if request_id is None:
            request_id = uuid.uuid4().hex.encode()
        scope.setdefault("state", {})["request_id"] = request_id.decode("latin-1")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id)]
            await send(message)

        await self.app(scope, receive, send_with_id)


def build_app(
    *,
    title: str,
    runtime: Runtime,
    routers: Iterable[APIRouter],
    on_startup: Iterable[Callable[[], Awaitable[None]]] = (),
    on_shutdown: Iterable[Callable[[], Awaitable[None]]] = (),
    description: str = "",
    consumer_of_topic: Mapping[str, str] | None = None,
) -> FastAPI:
    """`consumer_of_topic`: the topics this service reads as events, each with its consumer group, so a
    request waits until the caller's own writes there have reached this service (servicekit.consistency)."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for hook in on_startup:
            await hook()
        # What is alive after start-up lives as long as the process: keeping it
        # out of the collector's full passes trims tail latency (measured in the gateway).
        gc.collect()
        gc.freeze()
        yield
        for hook in on_shutdown:
            await hook()
        await runtime.database.dispose()

    app = FastAPI(
        title=title, description=description, lifespan=lifespan, version="1.0.0",
        # OpenTelemetry's own instrumentation (servicekit.telemetry) traces us;
        # FastAPI's native telemetry would only add a per-request check.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    # The runtime is the one thing on app.state; dependencies reach everything through it.
    app.state.runtime = runtime
    app.state.readiness_checks = {"database": runtime.database.ping}
    install_problem_handlers(app)
    app.include_router(health_router())
    for router in routers:
        app.include_router(router)
    document_problems(app)
    if consumer_of_topic:
        app.add_middleware(ReadAfterMiddleware, read_after=ReadAfter(
            runtime.database, consumer_of_topic, wait_seconds=runtime.settings.read_after_wait_seconds))
    app.add_middleware(RequestIdMiddleware)
    instrument_app(app, runtime.database.engine)
    return app
