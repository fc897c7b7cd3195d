"""Bootstrap: documents' runtime, its API process and its worker process.

Every service has these three functions with these signatures:
`build_runtime(settings)`, `create_app(settings, runtime)`, `build_worker(settings, runtime)`.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from documents import tables
from documents.api.routes import router, uploads
from documents.consumers import CTPAT_TOPICS, TRADE_ACCOUNT_TOPICS, ctpat_handlers, trade_account_handlers
from documents.settings import DocumentsSettings
from documents.storage import ObjectStore
from documents.use_cases import DocumentsContext, sweep_expired_uploads
from servicekit import bootstrap
from servicekit.app import build_app
from servicekit.auth import TokenVerifier
from servicekit.clock import Clock
from servicekit.runtime import Runtime
from servicekit.worker import Periodic, Runnable

INBOX = (tables.inbox, tables.inbox_aggregate_version)


def object_store(settings: DocumentsSettings) -> ObjectStore:
    return ObjectStore(
        endpoint=settings.s3_endpoint, public_endpoint=settings.s3_public_endpoint or settings.s3_endpoint,
        access_key=settings.s3_access_key, secret_key=settings.s3_secret_key, bucket=settings.s3_bucket,
        region=settings.s3_region, secure=settings.s3_secure)


def build_runtime(
    settings: DocumentsSettings | None = None, *, clock: Clock | None = None,
    token_verifier: TokenVerifier | None = None,
) -> Runtime[DocumentsContext]:
    settings = settings or DocumentsSettings()
    return bootstrap.build_runtime(
        settings, tables.outbox, clock=clock, token_verifier=token_verifier,
        context=lambda runtime: DocumentsContext(
            clock=runtime.clock, store=object_store(settings), max_upload_bytes=settings.max_upload_bytes,
            download_link_lifetime=timedelta(seconds=settings.download_link_seconds),
            upload_form_lifetime=timedelta(seconds=settings.upload_form_seconds)),
    )


def create_app(settings: DocumentsSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or DocumentsSettings()
    bootstrap.configure_process(settings, settings.service_name)
    runtime = runtime or build_runtime(settings)
    app = build_app(
        title="C-TPAT Portal documents",
        description="The Document Library: Trade Public, C-TPAT Public and each Security Model's Partner Library.",
        runtime=runtime,
        routers=[router, uploads],
        consumer_of_topic=bootstrap.consumer_of_topic(settings, CTPAT_TOPICS, TRADE_ACCOUNT_TOPICS),
    )
    # Ready only while the bytes can be reached too (PL-04).
    app.state.readiness_checks["object_storage"] = runtime.context.store.ensure_reachable
    return app


def build_worker(settings: DocumentsSettings | None = None, runtime: Runtime | None = None) -> list[Runnable]:
    settings = settings or DocumentsSettings()
    bootstrap.configure_process(settings, settings.service_name + "-worker")
    runtime = runtime or build_runtime(settings)
    models = bootstrap.build_consumer(settings, runtime.database, INBOX, topics=CTPAT_TOPICS,
                                      handlers=ctpat_handlers())
    accounts = bootstrap.build_consumer(settings, runtime.database, INBOX, topics=TRADE_ACCOUNT_TOPICS,
                                        handlers=trade_account_handlers())
    # Uploads started and never completed: bytes and all removed once their form expired (several workers: each
    # takes its own rows, SKIP LOCKED).
    sweeper = Periodic("expired-uploads", lambda: sweep_expired_uploads(runtime.database, runtime.context),
                       seconds=settings.upload_sweep_seconds)
    return [bootstrap.build_relay(settings), models, accounts, sweeper]
