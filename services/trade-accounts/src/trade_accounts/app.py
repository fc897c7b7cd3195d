"""Bootstrap: trade-accounts' API process and worker process."""

from __future__ import annotations

from fastapi import FastAPI

from servicekit.app import build_app
from servicekit.bootstrap import build_consumer, build_relay, build_runtime, configure_process
from servicekit.clock import Clock
from servicekit.runtime import Runtime
from servicekit.worker import Runnable
from trade_accounts import tables
from trade_accounts.api import requests_routes
from trade_accounts.api.routes import router
from trade_accounts.consumers import CTPAT_TOPICS, IDENTITY_TOPICS, ctpat_handlers, identity_handlers
from trade_accounts.settings import TradeAccountsSettings
from trade_accounts.use_cases import TradeAccountsContext


def context_for(runtime: Runtime) -> TradeAccountsContext:
    return TradeAccountsContext(clock=runtime.clock, outbox=runtime.outbox)


def create_app(settings: TradeAccountsSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or TradeAccountsSettings()
    configure_process(settings, settings.service_name)
    runtime = runtime or build_runtime(settings, tables.outbox)
    app = build_app(
        title="C-TPAT Portal trade-accounts",
        description="Trade Accounts: Organization Profile (company information, addresses, users), navigation.",
        runtime=runtime,
        routers=[router, requests_routes.router],
    )
    app.state.trade_accounts = context_for(runtime)
    return app


def build_worker(settings: TradeAccountsSettings | None = None, clock: Clock | None = None) -> list[Runnable]:
    settings = settings or TradeAccountsSettings()
    configure_process(settings, settings.service_name + "-worker")
    runtime = build_runtime(settings, tables.outbox, clock=clock)
    inbox = (tables.inbox, tables.inbox_aggregate_version)
    users = build_consumer(
        settings, runtime.database, inbox, name="trade-accounts.identity-users", topics=IDENTITY_TOPICS,
        handlers=identity_handlers(context_for(runtime)),
    )
    security_models = build_consumer(
        settings, runtime.database, inbox, name="trade-accounts.ctpat-security-models", topics=CTPAT_TOPICS,
        handlers=ctpat_handlers(),
    )
    return [build_relay(settings), users, security_models]
