"""The web client's settings: the shared names from servicekit, and its own under `WEB_`."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings

# web/node_modules beside this checkout's package (npm ci in deploy/local/setup.sh puts it there).
_CHECKOUT_ASSETS = Path(__file__).resolve().parents[2] / "node_modules"


class WebSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore", populate_by_name=True)

    service_name: str = "web"
    host: str = "127.0.0.1"
    port: int = 8090
    # The gateway's API, called as the signed-in user: the browser's own session cookie
    # goes along, so the pages can do nothing the user could not do with the API.
    gateway_url: str = Field(
        "http://127.0.0.1:8080",
        validation_alias=AliasChoices("WEB_GATEWAY_URL", "PORTAL_GATEWAY_URL"),
    )
    api_timeout_seconds: float = 15.0
    # How long a browser's session view and navigation are reused between its pages (web.viewer_cache); 0: never.
    viewer_cache_seconds: float = 5.0
    # How long reference data every user sees alike (catalogue, document types) is reused (web.caching).
    reference_cache_seconds: float = 300.0
    # USWDS, htmx (npm packages; never committed).
    node_modules: Path = _CHECKOUT_ASSETS
    # A posted form: at most this many files, each part at most this size (the
    # documents service's own limit is 25 MiB; it refuses more with a 413 naming `file`).
    max_form_files: int = 5
    max_form_part_bytes: int = 26 * 1024 * 1024
