"""`create_app`: the gateway's ASGI application. Nothing is built at import time.

Layers, outermost first: OpenTelemetry's server span (when tracing) ->
request id -> CORS -> `GatewayEdge` (address rate limit; `/api/...` to the
proxy) -> FastAPI's routes for the gateway's own endpoints. The lifespan
builds the runtime (connection pools, token verifier, session store) and
closes it.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import Response
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from gateway.browser_session import SessionEnded, SessionStore, clearing_cookie_headers
from gateway.edge import GatewayEdge, PortalCors
from gateway.identity_client import IdentityRejected, IdentityUnavailable
from gateway.routes import router
from gateway.runtime import build_gateway
from gateway.settings import GatewaySettings
from servicekit.app import RequestIdMiddleware
from servicekit.auth import JwksFetcher
from servicekit.clock import Clock, SystemClock
from servicekit.openapi import document_problems
from servicekit.problems import install_problem_handlers, problem_response
from servicekit.telemetry import instrument_app

log = structlog.get_logger("gateway.app")

# Headers a page of an allowed origin may read from responses.
_EXPOSED_HEADERS = ["x-request-id", "retry-after", "location", "etag", "content-disposition"]


def create_app(
    settings: GatewaySettings | None = None,
    *,
    clock: Clock | None = None,
    jwks_fetcher: JwksFetcher | None = None,
    session_store: SessionStore | None = None,
    tracer_provider: TracerProvider | None = None,
    freeze_gc_on_startup: bool = False,
) -> FastAPI:
    """The gateway. `tracer_provider` overrides the process's (tests pass their own);
    `freeze_gc_on_startup` is for the serving process (see below)."""
    settings = settings or GatewaySettings()
    clock = clock or SystemClock()
    tracer = _proxy_tracer(tracer_provider)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        gateway = build_gateway(
            settings,
            clock=clock,
            gateway_document=app.openapi,
            jwks_fetcher=jwks_fetcher,
            session_store=session_store,
            tracer=tracer,
        )
        app.state.gateway = gateway
        if gateway.written is not None and gateway.written.broadcast is not None:
            await gateway.written.broadcast.start()  # hear the other gateways' writes from the first request
        if freeze_gc_on_startup:
            # Move everything alive after start-up out of the collector's sight:
            # full collections then stop walking the whole framework, which cut
            # the proxy's p99 from 20-50 ms to under 10 ms in bench.gateway.
            gc.collect()
            gc.freeze()
        log.info("gateway started", upstreams=sorted(settings.upstreams))
        try:
            yield
        finally:
            await gateway.aclose()

    app = FastAPI(
        title="C-TPAT Portal gateway",
        version="1.0.0",
        lifespan=lifespan,
        openapi_url=None,  # /openapi.json is the merged document (routes.py)
        docs_url=None,
        redoc_url=None,
        # Spans come from servicekit's instrumentation, as in every service; FastAPI's
        # own telemetry would only add a per-request check to the proxy's path.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    _install_error_handlers(app, cookie_secure=settings.cookie_secure)
    app.include_router(router)
    document_problems(app)
    # add_middleware puts each new layer outside the previous ones.
    app.add_middleware(GatewayEdge, state=app.state)
    app.add_middleware(
        PortalCors,
        allow_origins=settings.cors_origin_list,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=_EXPOSED_HEADERS,
    )
    app.add_middleware(RequestIdMiddleware)
    if tracer_provider is not None:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(
            app, tracer_provider=tracer_provider, exclude_spans=["receive", "send"]
        )
    else:
        instrument_app(app)
    return app


def _proxy_tracer(tracer_provider: TracerProvider | None) -> trace.Tracer | None:
    # No tracer at all when tracing is off: the proxy then skips span work entirely.
    if tracer_provider is not None:
        return tracer_provider.get_tracer("gateway.proxy")
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return trace.get_tracer("gateway.proxy")
    return None


def _install_error_handlers(app: FastAPI, *, cookie_secure: bool) -> None:
    install_problem_handlers(app)

    @app.exception_handler(IdentityRejected)
    async def identity_rejected(request: Request, exc: IdentityRejected) -> Response:
        # Identity's own problem document (wrong password, locked, invalid field).
        return Response(exc.body, status_code=exc.status, media_type=exc.content_type)

    @app.exception_handler(IdentityUnavailable)
    async def identity_unavailable(request: Request, exc: IdentityUnavailable) -> Response:
        log.warning("identity unavailable", error=str(exc), path=request.url.path)
        return problem_response(
            503, "identity-unavailable", "Sign-in service unavailable",
            "Signing in is not possible just now; try again shortly.",
            instance=request.url.path, headers={"Retry-After": "5"},
        )

    @app.exception_handler(SessionEnded)
    async def session_ended(request: Request, exc: SessionEnded) -> Response:
        response = problem_response(
            401, exc.slug, exc.title, exc.detail, instance=request.url.path
        )
        response.raw_headers.extend(
            (b"set-cookie", c) for c in clearing_cookie_headers(secure=cookie_secure)
        )
        return response
