"""trade-accounts' command line: serve | work | migrate."""

from __future__ import annotations

from pathlib import Path

from servicekit.cli import service_cli
from trade_accounts.settings import TradeAccountsSettings

main = service_cli(
    "trade-accounts",
    settings=TradeAccountsSettings,
    bootstrap_module="trade_accounts.app",
    migrations=Path(__file__).parent / "migrations",
)

if __name__ == "__main__":
    main()
