"""documents' command line: serve | work | migrate."""

from __future__ import annotations

from pathlib import Path

from documents.settings import DocumentsSettings
from servicekit.cli import service_cli

main = service_cli(
    "documents",
    settings=DocumentsSettings,
    bootstrap_module="documents.app",
    migrations=Path(__file__).parent / "migrations",
)

if __name__ == "__main__":
    main()
