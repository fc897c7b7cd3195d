"""The gateway's settings: the shared names from servicekit, and its own under `GATEWAY_`.

`GATEWAY_UPSTREAMS` is a JSON object naming each service's instances,
`{"<service>": ["<base url>", ...], ...}` (a single URL may stand for a list of
one: `{"<service>": "<base url>"}`); when set it replaces the default table as
a whole, so a deployment lists exactly the services it runs.
`/api/<service>/<rest>` is forwarded to `<base url>/<rest>` of one instance,
round robin. The default table is the running services of deploy/topology.toml
with their instance counts (`servicekit.topology`), when the checkout is there.
"""

from __future__ import annotations

import os

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from servicekit import topology
from servicekit.settings import ServiceSettings


def default_web_upstream() -> str | None:
    """deploy/topology.toml's web client, resolved against the environment; none without it."""
    if topology.default_path() is None:
        return None
    return topology.load().web_upstream(os.environ)


def default_upstreams() -> dict[str, list[str]]:
    """deploy/topology.toml's table, resolved against the environment; empty without it."""
    if topology.default_path() is None:
        return {}
    return topology.load().upstreams(os.environ)


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", populate_by_name=True)

    service_name: str = "gateway"
    # Where browser sessions live. Set (GATEWAY_DATABASE_URL): PostgreSQL, shared by
    # every gateway process. Unset: this process's memory (one gateway only).
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080

    upstreams: dict[str, list[str]] = Field(default_factory=default_upstreams)
    # Which upstream signs users in, refreshes and revokes browser sessions.
    identity_service: str = "identity"
    # Non-API paths (the web client's pages and assets) go here when set.
    web_upstream: str | None = Field(default_factory=default_web_upstream)

    upstream_max_connections: int = 256
    upstream_connect_timeout_seconds: float = 2.0
    # Longest wait for an upstream's response head, and between two body chunks.
    upstream_read_timeout_seconds: float = 60.0
    # Below uvicorn's 5 s keep-alive, so the gateway drops an idle connection
    # before the upstream does and seldom meets a half-closed one.
    upstream_idle_seconds: float = 4.0

    rate_limit_per_second: float = 200.0
    rate_limit_burst: int = 400

    cors_origins: str = "http://127.0.0.1:8090,http://localhost:8090"

    cookie_secure: bool = True
    # A browser session lives this long after sign-in or its last token refresh;
    # identity's refresh-token lifetime may end it sooner.
    session_ttl_seconds: int = 12 * 3600
    refresh_margin_seconds: int = 30
    # A session read from PostgreSQL is kept this long in the process (one page's several calls read it
    # once); a change or sign-out on any gateway is noticed at once (session_store_postgres). 0: never.
    session_recent_seconds: float = 2.0
    max_browser_sessions: int = 100_000

    openapi_cache_seconds: float = 5.0
    # Deadline for the control-plane calls: health, OpenAPI, sign-in, refresh.
    control_timeout_seconds: float = 5.0
    health_timeout_seconds: float = 2.0

    # Addresses of load balancers trusted to set X-Forwarded-For; none by default,
    # because the gateway is the edge and a client could otherwise pick its own
    # rate-limit bucket.
    forwarded_allow_ips: str | None = None

    @field_validator("upstreams", mode="before")
    @classmethod
    def _instances_as_lists(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        table = {}
        for name, urls in value.items():
            urls = [urls] if isinstance(urls, str) else urls
            if not urls:
                raise ValueError(f"upstream {name!r} names no instance")
            table[name] = urls
        return table

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]
