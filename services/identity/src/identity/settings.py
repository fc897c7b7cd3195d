"""Identity's settings; its own names start with IDENTITY_, shared ones are unprefixed."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore", populate_by_name=True)

    service_name: str = "identity"
    database_url: str = "postgresql+asyncpg://identity:identity@127.0.0.1:15432/identity"
    worker_health_port: int = 8111
    port: int = 8101

    access_token_minutes: int = 5
    refresh_token_hours: int = 12
    reset_link_hours: int = 24
    # Where people open the reset link: the web client behind the gateway.
    public_url: str = Field("http://127.0.0.1:8080", validation_alias=AliasChoices("PORTAL_PUBLIC_URL"))
    smtp_host: str = Field("127.0.0.1", validation_alias=AliasChoices("SMTP_HOST"))
    smtp_port: int = Field(10025, validation_alias=AliasChoices("SMTP_PORT"))
    mail_from: str = "no-reply@portal.ctpat.local"

    # argon2id cost (OWASP's second recommended set: 19 MiB, t=2, p=1).
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19456
    argon2_parallelism: int = 1
    hashing_threads: int = 2
