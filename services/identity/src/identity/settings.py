"""Identity's settings; its own names start with IDENTITY_, shared ones are unprefixed."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from servicekit.mail import MailSettings
from servicekit.settings import ServiceSettings


class IdentitySettings(ServiceSettings, MailSettings):
    """Mail (reset links): public_url, smtp_host, smtp_port, mail_from from servicekit.mail."""

    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore", populate_by_name=True)

    service_name: str = "identity"
    database_url: str = "postgresql+asyncpg://identity:identity@127.0.0.1:15432/identity"
    worker_health_port: int = 8111
    port: int = 8101

    access_token_minutes: int = 5
    refresh_token_hours: int = 12
    reset_link_hours: int = 24
    # argon2id cost (OWASP's second recommended set: 19 MiB, t=2, p=1).
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19456
    argon2_parallelism: int = 1
    hashing_threads: int = 2
