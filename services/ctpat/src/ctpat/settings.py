"""ctpat's settings; its own names start with CTPAT_, shared ones are unprefixed."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings


class CtpatSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CTPAT_", extra="ignore", populate_by_name=True)

    service_name: str = "ctpat"
    database_url: str = "postgresql+asyncpg://ctpat:ctpat@127.0.0.1:15432/ctpat"
    worker_health_port: int = 8113
    port: int = 8103
    # How often the worker looks for annual review windows to open (CT-13); a window opens on its day.
    review_scheduler_seconds: float = 60.0
