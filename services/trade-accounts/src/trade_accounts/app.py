"""Bootstrap: trade-accounts' runtime, its API process and its worker process.

Every service has these three functions with these signatures:
`build_runtime(settings)`, `create_app(settings, runtime)`, `build_worker(settings, runtime)`.
"""

from __future__ import annotations

from fastapi import FastAPI

from servicekit import bootstrap
from servicekit.app import build_app
from servicekit.auth import TokenVerifier
from servicekit.clock import Clock
from servicekit.mail import MailSender
from servicekit.runtime import Runtime
from servicekit.worker import Runnable
from trade_accounts import tables
from trade_accounts.api import requests_routes
from trade_accounts.api.routes import router
from trade_accounts.consumers import CTPAT_TOPICS, IDENTITY_TOPICS, ctpat_handlers, identity_handlers
from trade_accounts.settings import TradeAccountsSettings
from trade_accounts.use_cases import TradeAccountsContext

INBOX = (tables.inbox, tables.inbox_aggregate_version)


def build_runtime(
    settings: TradeAccountsSettings | None = None, *, clock: Clock | None = None,
    token_verifier: TokenVerifier | None = None,
) -> Runtime[TradeAccountsContext]:
    settings = settings or TradeAccountsSettings()
    return bootstrap.build_runtime(
        settings, tables.outbox, clock=clock, token_verifier=token_verifier,
        context=lambda runtime: TradeAccountsContext(clock=runtime.clock, public_url=settings.public_url),
    )


def create_app(settings: TradeAccountsSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or TradeAccountsSettings()
    bootstrap.configure_process(settings, settings.service_name)
    return build_app(
        title="C-TPAT Portal trade-accounts",
        description="Trade Accounts: Organization Profile (company information, addresses, users), navigation.",
        runtime=runtime or build_runtime(settings),
        routers=[router, requests_routes.router],
        consumer_of_topic=bootstrap.consumer_of_topic(settings, IDENTITY_TOPICS, CTPAT_TOPICS),
    )


def build_worker(settings: TradeAccountsSettings | None = None, runtime: Runtime | None = None) -> list[Runnable]:
    settings = settings or TradeAccountsSettings()
    bootstrap.configure_process(settings, settings.service_name + "-worker")
    runtime = runtime or build_runtime(settings)
    users = bootstrap.build_consumer(
        settings, runtime.database, INBOX, topics=IDENTITY_TOPICS,
        handlers=identity_handlers(runtime.context),
    )
    security_models = bootstrap.build_consumer(
        settings, runtime.database, INBOX, topics=CTPAT_TOPICS,
        handlers=ctpat_handlers(),
    )
    invitations = MailSender.from_settings(settings, runtime.database, tables.mail_outbox, runtime.clock)
    return [bootstrap.build_relay(settings), users, security_models, invitations]
