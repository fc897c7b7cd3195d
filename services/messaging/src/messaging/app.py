"""Bootstrap: messaging's runtime, its API process and its worker process.

Every service has these three functions with these signatures:
`build_runtime(settings)`, `create_app(settings, runtime)`, `build_worker(settings, runtime)`.
"""

from __future__ import annotations

from fastapi import FastAPI

from messaging import tables
from messaging.api.routes import router
from messaging.consumers import (
    CTPAT_TOPICS,
    DOCUMENT_TOPICS,
    OPERATION_TOPICS,
    REQUEST_TOPICS,
    TRADE_ACCOUNT_TOPICS,
    USER_TOPICS,
    ctpat_handlers,
    document_handlers,
    identity_handlers,
    operation_handlers,
    request_handlers,
    trade_account_handlers,
)
from messaging.settings import MessagingSettings
from messaging.use_cases import MessagingContext
from servicekit import bootstrap
from servicekit.app import build_app
from servicekit.auth import TokenVerifier
from servicekit.clock import Clock
from servicekit.mail import MailSender
from servicekit.runtime import Runtime
from servicekit.worker import Runnable

INBOX = (tables.inbox, tables.inbox_aggregate_version)


def build_runtime(
    settings: MessagingSettings | None = None, *, clock: Clock | None = None,
    token_verifier: TokenVerifier | None = None,
) -> Runtime[MessagingContext]:
    settings = settings or MessagingSettings()
    return bootstrap.build_runtime(settings, tables.outbox, clock=clock, token_verifier=token_verifier,
                                   context=lambda runtime: MessagingContext(clock=runtime.clock,
                                                                           public_url=settings.public_url))


def create_app(settings: MessagingSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or MessagingSettings()
    bootstrap.configure_process(settings, settings.service_name)
    return build_app(
        title="C-TPAT Portal messaging",
        description="Messages between a Security Model's contacts and its SCSS.",
        runtime=runtime or build_runtime(settings),
        routers=[router],
        consumer_of_topic=bootstrap.consumer_of_topic(settings, CTPAT_TOPICS, TRADE_ACCOUNT_TOPICS, DOCUMENT_TOPICS,
                                                      REQUEST_TOPICS, USER_TOPICS, OPERATION_TOPICS),
    )


def build_worker(settings: MessagingSettings | None = None, runtime: Runtime | None = None) -> list[Runnable]:
    settings = settings or MessagingSettings()
    bootstrap.configure_process(settings, settings.service_name + "-worker")
    runtime = runtime or build_runtime(settings)
    ctx = runtime.context

    def consumer(topics, handlers):
        return bootstrap.build_consumer(settings, runtime.database, INBOX, topics=topics, handlers=handlers)

    return [
        bootstrap.build_relay(settings),
        consumer(CTPAT_TOPICS, ctpat_handlers(ctx)),
        consumer(TRADE_ACCOUNT_TOPICS, trade_account_handlers(ctx)),
        consumer(REQUEST_TOPICS, request_handlers(ctx)),
        consumer(OPERATION_TOPICS, operation_handlers(ctx)),
        consumer(USER_TOPICS, identity_handlers()),
        consumer(DOCUMENT_TOPICS, document_handlers()),
        # Notices of new messages, through SMTP (a sink locally), retried and never lost (servicekit.mail).
        MailSender.from_settings(settings, runtime.database, tables.mail_outbox, runtime.clock),
    ]
