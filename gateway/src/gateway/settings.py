"""The gateway's settings: the shared names from servicekit, and its own under `GATEWAY_`.

`GATEWAY_UPSTREAMS` is a JSON object `{"<service>": "<base url>", ...}`; when set
it replaces the default table as a whole, so a deployment lists exactly the
services it runs. `/api/<service>/<rest>` is forwarded to `<base url>/<rest>`.
"""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings

DEFAULT_UPSTREAMS: dict[str, str] = {
    "identity": "http://127.0.0.1:8101",
    "trade-accounts": "http://127.0.0.1:8102",
    "ctpat": "http://127.0.0.1:8103",
    "svi": "http://127.0.0.1:8104",
    "documents": "http://127.0.0.1:8105",
    "messaging": "http://127.0.0.1:8106",
}


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", populate_by_name=True)

    service_name: str = "gateway"
    # Where browser sessions live. Set (GATEWAY_DATABASE_URL): PostgreSQL, shared by
    # every gateway process. Unset: this process's memory (one gateway only).
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080

    upstreams: dict[str, str] = dict(DEFAULT_UPSTREAMS)
    # Which upstream signs users in, refreshes and revokes browser sessions.
    identity_service: str = "identity"
    # Non-API paths (the web client's pages and assets) go here when set.
    web_upstream: str | None = None

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
    max_browser_sessions: int = 100_000

    openapi_cache_seconds: float = 5.0
    # Deadline for the control-plane calls: health, OpenAPI, sign-in, refresh.
    control_timeout_seconds: float = 5.0
    health_timeout_seconds: float = 2.0

    # Addresses of load balancers trusted to set X-Forwarded-For; none by default,
    # because the gateway is the edge and a client could otherwise pick its own
    # rate-limit bucket.
    forwarded_allow_ips: str | None = None

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]
