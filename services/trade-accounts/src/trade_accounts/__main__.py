"""trade-accounts' command line: serve | work | migrate."""

from __future__ import annotations

from pathlib import Path

from servicekit.cli import service_cli
from trade_accounts.settings import TradeAccountsSettings


def _create_app(settings: TradeAccountsSettings):
    from trade_accounts.app import create_app

    return create_app(settings)


def _build_worker(settings: TradeAccountsSettings) -> list:
    from trade_accounts.app import build_worker

    return build_worker(settings)


main = service_cli(
    "trade-accounts",
    settings=TradeAccountsSettings,
    create_app=_create_app,
    build_worker=_build_worker,
    migrations=Path(__file__).parent / "migrations",
)

if __name__ == "__main__":
    main()
