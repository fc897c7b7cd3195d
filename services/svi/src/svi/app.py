"""Bootstrap: svi's runtime, its API process and its worker process.

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
from svi import tables
from svi.api.routes import router
from svi.consumers import CTPAT_TOPICS, TRADE_ACCOUNT_TOPICS, ctpat_handlers, trade_account_handlers
from svi.settings import SviSettings
from svi.use_cases import SviContext

INBOX = (tables.inbox, tables.inbox_aggregate_version)


def build_runtime(
    settings: SviSettings | None = None, *, clock: Clock | None = None, token_verifier: TokenVerifier | None = None,
) -> Runtime[SviContext]:
    settings = settings or SviSettings()
    return bootstrap.build_runtime(
        settings, tables.outbox, clock=clock, token_verifier=token_verifier,
        context=lambda runtime: SviContext(clock=runtime.clock),
    )


def create_app(settings: SviSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or SviSettings()
    bootstrap.configure_process(settings, settings.service_name)
    return build_app(
        title="C-TPAT Portal svi",
        description="Status Verification Interface: partners monitor each other's C-TPAT status.",
        runtime=runtime or build_runtime(settings),
        routers=[router],
        consumer_of_topic=bootstrap.consumer_of_topic(settings, CTPAT_TOPICS, TRADE_ACCOUNT_TOPICS),
    )


def build_worker(settings: SviSettings | None = None, runtime: Runtime | None = None) -> list[Runnable]:
    settings = settings or SviSettings()
    bootstrap.configure_process(settings, settings.service_name + "-worker")
    runtime = runtime or build_runtime(settings)
    models = bootstrap.build_consumer(
        settings, runtime.database, INBOX, topics=CTPAT_TOPICS,
        handlers=ctpat_handlers(),
    )
    accounts = bootstrap.build_consumer(
        settings, runtime.database, INBOX, topics=TRADE_ACCOUNT_TOPICS, handlers=trade_account_handlers(),
    )
    notices = MailSender.from_settings(settings, runtime.database, tables.mail_outbox, runtime.clock)
    return [bootstrap.build_relay(settings), models, accounts, notices]
