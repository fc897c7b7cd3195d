"""ctpat's command line: serve | work | migrate."""

from __future__ import annotations

from pathlib import Path

from ctpat.settings import CtpatSettings
from servicekit.cli import service_cli

main = service_cli(
    "ctpat",
    settings=CtpatSettings,
    bootstrap_module="ctpat.app",
    migrations=Path(__file__).parent / "migrations",
)

if __name__ == "__main__":
    main()
