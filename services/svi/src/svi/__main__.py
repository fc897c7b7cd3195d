"""svi's command line: serve | work | migrate."""

from __future__ import annotations

from pathlib import Path

from servicekit.cli import service_cli
from svi.settings import SviSettings

main = service_cli(
    "svi",
    settings=SviSettings,
    bootstrap_module="svi.app",
    migrations=Path(__file__).parent / "migrations",
)

if __name__ == "__main__":
    main()
