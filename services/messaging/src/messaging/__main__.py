"""messaging's command line: serve | work | migrate."""

from __future__ import annotations

from pathlib import Path

from messaging.settings import MessagingSettings
from servicekit.cli import service_cli

main = service_cli(
    "messaging",
    settings=MessagingSettings,
    bootstrap_module="messaging.app",
    migrations=Path(__file__).parent / "migrations",
)

if __name__ == "__main__":
    main()
