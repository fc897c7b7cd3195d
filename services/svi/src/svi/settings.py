"""svi's settings; its own names start with SVI_, shared ones are unprefixed."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from servicekit.mail import MailSettings
from servicekit.settings import ServiceSettings


class SviSettings(ServiceSettings, MailSettings):
    """Mail (certification notices): public_url, smtp_host, smtp_port, mail_from, named as in every service."""

    model_config = SettingsConfigDict(env_prefix="SVI_", extra="ignore", populate_by_name=True)

    service_name: str = "svi"
    database_url: str = "postgresql+asyncpg://svi:svi@127.0.0.1:15432/svi"
    worker_health_port: int = 8114
    port: int = 8104
