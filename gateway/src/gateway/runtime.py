"""What the running gateway is made of, built once in the app's lifespan and closed with it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from opentelemetry import trace

from gateway.browser_session import BrowserSessions, InMemorySessionStore, SessionStore
from gateway.caller import CallerVerifier
from gateway.identity_client import IdentityClient
from gateway.openapi_merge import MergedOpenApi
from gateway.proxy import Proxy
from gateway.rate_limit import RateLimiter
from gateway.read_your_writes import PostgresBroadcast, WrittenVersions
from gateway.session_store_postgres import PostgresSessionStore
from gateway.settings import GatewaySettings
from gateway.upstream_pool import Upstream, UpstreamPool
from servicekit.auth import JwksFetcher, TokenVerifier, http_jwks_fetcher
from servicekit.clock import Clock


@dataclass
class Gateway:
    settings: GatewaySettings
    http: httpx.AsyncClient  # the control plane: sign-in, health, OpenAPI
    limiter: RateLimiter
    sessions: BrowserSessions
    proxy: Proxy
    openapi: MergedOpenApi
    upstreams: list[Upstream]

    # A store the gateway made itself (not one a caller passed in), closed with it.
    own_session_store: SessionStore | None = None
    written: WrittenVersions | None = None

    async def aclose(self) -> None:
        for upstream in self.upstreams:
            upstream.close()
        await self.http.aclose()
        if self.own_session_store is not None:
            await self.own_session_store.aclose()
        if self.written is not None and self.written.broadcast is not None:
            await self.written.broadcast.aclose()


def build_gateway(
    settings: GatewaySettings,
    *,
    clock: Clock,
    gateway_document: Callable[[], dict[str, Any]],
    jwks_fetcher: JwksFetcher | None = None,
    session_store: SessionStore | None = None,
    tracer: trace.Tracer | None = None,
) -> Gateway:
    http = httpx.AsyncClient(timeout=settings.control_timeout_seconds)
    verifier = TokenVerifier(
        jwks_fetcher or http_jwks_fetcher(settings.jwks_url),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        clock=clock,
    )
    callers = CallerVerifier(verifier, clock)
    given_store = session_store
    if session_store is None and settings.database_url:
        session_store = PostgresSessionStore(settings.database_url, clock,
                                             recent_seconds=settings.session_recent_seconds)
    session_store = session_store or InMemorySessionStore(clock, max_sessions=settings.max_browser_sessions)
    sessions = BrowserSessions(
        session_store,
        IdentityClient(http, settings.upstreams.get(settings.identity_service, [])),
        callers,
        clock,
        ttl_seconds=settings.session_ttl_seconds,
        refresh_margin_seconds=settings.refresh_margin_seconds,
    )
    limiter = RateLimiter(
        rate_per_second=settings.rate_limit_per_second, burst=settings.rate_limit_burst
    )

    def upstream(name: str, urls: list[str]) -> Upstream:
        return Upstream(name, [
            UpstreamPool(
                name,
                url,
                max_connections=settings.upstream_max_connections,
                connect_timeout=settings.upstream_connect_timeout_seconds,
                idle_seconds=settings.upstream_idle_seconds,
            )
            for url in urls
        ])

    upstreams = {name: upstream(name, urls) for name, urls in settings.upstreams.items()}
    web_pool = upstream("web", [settings.web_upstream]) if settings.web_upstream else None
    written = WrittenVersions()
    if settings.database_url:
        written.broadcast = PostgresBroadcast(settings.database_url, written)
    proxy = Proxy(
        written=written,
        upstreams=upstreams,
        web_pool=web_pool,
        callers=callers,
        sessions=sessions,
        limiter=limiter,
        read_timeout=settings.upstream_read_timeout_seconds,
        cookie_secure=settings.cookie_secure,
        tracer=tracer,
    )
    openapi = MergedOpenApi(
        http,
        settings.upstreams,
        gateway_document,
        cache_seconds=settings.openapi_cache_seconds,
        timeout_seconds=settings.health_timeout_seconds,
    )
    return Gateway(
        settings=settings,
        http=http,
        limiter=limiter,
        sessions=sessions,
        proxy=proxy,
        openapi=openapi,
        upstreams=[*upstreams.values(), *([web_pool] if web_pool else [])],
        own_session_store=None if given_store is not None else session_store,
        written=written,
    )
