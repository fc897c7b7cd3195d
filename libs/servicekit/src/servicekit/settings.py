"""Settings every service shares, read from the environment (pydantic-settings).

Infrastructure addresses (Kafka, tokens, telemetry) have the same names in
every service; what belongs to one service (its database) is prefixed with
the service's name, e.g. `IDENTITY_DATABASE_URL`.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _shared(name: str, default: str | int | float | None):
    return Field(default, validation_alias=AliasChoices(name))


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "service"
    database_url: str = "postgresql+asyncpg://localhost/postgres"
    # Connections kept open per process: at least the requests it serves at once (db.py).
    database_pool_size: int = 20
    host: str = "127.0.0.1"
    port: int = 8000

    kafka_bootstrap_servers: str = _shared("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    # Tokens: who signs them and who they are for. Every service checks both.
    jwt_issuer: str = _shared("PORTAL_JWT_ISSUER", "https://portal.ctpat.local/identity")
    jwt_audience: str = _shared("PORTAL_JWT_AUDIENCE", "ctpat-portal")
    jwks_url: str = _shared("PORTAL_JWKS_URL", "http://127.0.0.1:8101/.well-known/jwks.json")

    otlp_endpoint: str | None = _shared("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    traces_dir: str | None = _shared("PORTAL_TRACES_DIR", None)
    # Share of new traces recorded; a caller's sampled traceparent is always followed.
    trace_sample_ratio: float = _shared("PORTAL_TRACE_SAMPLE_RATIO", 1.0)
    log_level: str = _shared("PORTAL_LOG_LEVEL", "INFO")

    # The worker's health server (0: none). Each service sets its own default.
    worker_health_port: int = 0
    outbox_poll_seconds: float = 1.0
    # How long a request waits for the caller's own writes elsewhere to reach this service (consistency.py).
    read_after_wait_seconds: float = 3.0
    consumer_max_attempts: int = 5
    consumer_retry_backoff_seconds: float = 0.2
    # How often a consumer commits its group offsets (servicekit.consumer); a crash redelivers at most this much.
    consumer_commit_interval_seconds: float = 1.0
