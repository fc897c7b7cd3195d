"""messaging's settings; its own names start with MESSAGING_, shared ones are unprefixed."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from servicekit.mail import MailSettings
from servicekit.settings import ServiceSettings


class MessagingSettings(ServiceSettings, MailSettings):
    """Mail (notices of new messages): public_url, smtp_host, smtp_port, mail_from, named as in every service."""

    model_config = SettingsConfigDict(env_prefix="MESSAGING_", extra="ignore", populate_by_name=True)

    service_name: str = "messaging"
    database_url: str = "postgresql+asyncpg://messaging:messaging@127.0.0.1:15432/messaging"
    worker_health_port: int = 8116
    port: int = 8106
