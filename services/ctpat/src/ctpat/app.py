"""Bootstrap: ctpat's runtime, its API process and its worker process.

Every service has these three functions with these signatures:
`build_runtime(settings)`, `create_app(settings, runtime)`, `build_worker(settings, runtime)`.
"""

from __future__ import annotations

from fastapi import FastAPI

from ctpat import catalogue, tables
from ctpat.api.routes import router
from ctpat.api.summary_routes import router as summary_router
from ctpat.consumers import (
    DOCUMENT_TOPICS,
    IDENTITY_TOPICS,
    TRADE_ACCOUNT_TOPICS,
    document_handlers,
    identity_handlers,
    trade_account_handlers,
)
from ctpat.settings import CtpatSettings
from ctpat.use_cases import CtpatContext, open_due_reviews
from servicekit import bootstrap
from servicekit.app import build_app
from servicekit.auth import TokenVerifier
from servicekit.clock import Clock
from servicekit.runtime import Runtime
from servicekit.worker import Periodic, Runnable

INBOX = (tables.inbox, tables.inbox_aggregate_version)


def build_runtime(
    settings: CtpatSettings | None = None, *, clock: Clock | None = None,
    token_verifier: TokenVerifier | None = None,
) -> Runtime[CtpatContext]:
    settings = settings or CtpatSettings()
    catalogue.catalogues()  # a broken catalogue version fails the start, not an application
    return bootstrap.build_runtime(
        settings, tables.outbox, clock=clock, token_verifier=token_verifier,
        context=lambda runtime: CtpatContext(clock=runtime.clock),
    )


def create_app(settings: CtpatSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or CtpatSettings()
    bootstrap.configure_process(settings, settings.service_name)
    return build_app(
        title="C-TPAT Portal ctpat",
        description="C-TPAT Security Models: application, business types and identifiers, company profile.",
        runtime=runtime or build_runtime(settings),
        routers=[router, summary_router],
        consumer_of_topic=bootstrap.consumer_of_topic(settings, TRADE_ACCOUNT_TOPICS, IDENTITY_TOPICS, DOCUMENT_TOPICS),
    )


def build_worker(settings: CtpatSettings | None = None, runtime: Runtime | None = None) -> list[Runnable]:
    settings = settings or CtpatSettings()
    bootstrap.configure_process(settings, settings.service_name + "-worker")
    runtime = runtime or build_runtime(settings)
    accounts = bootstrap.build_consumer(
        settings, runtime.database, INBOX, topics=TRADE_ACCOUNT_TOPICS, handlers=trade_account_handlers(),
    )
    users = bootstrap.build_consumer(
        settings, runtime.database, INBOX, topics=IDENTITY_TOPICS,
        handlers=identity_handlers(),
    )
    evidence = bootstrap.build_consumer(
        settings, runtime.database, INBOX, topics=DOCUMENT_TOPICS,
        handlers=document_handlers(),
    )
    # CT-13: windows open on their day, however many workers run (open_due_reviews is version-checked).
    scheduler = Periodic("annual-review-scheduler", lambda: open_due_reviews(runtime.database, runtime.clock),
                         seconds=settings.review_scheduler_seconds)
    return [bootstrap.build_relay(settings), accounts, users, evidence, scheduler]
