"""Trade-accounts' settings; its own names start with TRADE_ACCOUNTS_, shared ones are unprefixed."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from servicekit.mail import MailSettings
from servicekit.settings import ServiceSettings


class TradeAccountsSettings(ServiceSettings, MailSettings):
    """Mail (invitations): public_url, smtp_host, smtp_port, mail_from, named as in every service."""

    model_config = SettingsConfigDict(env_prefix="TRADE_ACCOUNTS_", extra="ignore", populate_by_name=True)

    service_name: str = "trade-accounts"
    database_url: str = "postgresql+asyncpg://trade_accounts:trade_accounts@127.0.0.1:15432/trade_accounts"
    worker_health_port: int = 8112
    port: int = 8102
