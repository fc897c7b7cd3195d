"""The wiring every service repeats, in one place: process set-up, runtime, relay, consumer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Table

from servicekit.auth import TokenVerifier, http_jwks_fetcher
from servicekit.clock import Clock, SystemClock
from servicekit.consumer import Handler, IdempotentConsumer, Inbox
from servicekit.db import Database
from servicekit.outbox import Outbox, OutboxRelay
from servicekit.runtime import Runtime
from servicekit.settings import ServiceSettings
from servicekit.telemetry import configure_logging, configure_tracing


def configure_process(settings: ServiceSettings, process_name: str) -> None:
    """Structured logs and tracing for this process (API: the service's name; worker: `<name>-worker`)."""
    configure_logging(process_name, settings.log_level)
    configure_tracing(
        process_name, otlp_endpoint=settings.otlp_endpoint, traces_dir=settings.traces_dir,
        sample_ratio=settings.trace_sample_ratio,
    )


def build_runtime(
    settings: ServiceSettings, outbox_table: Table, *, clock: Clock | None = None,
    token_verifier: TokenVerifier | None = None, context: Callable[[Runtime], Any] | None = None,
) -> Runtime:
    """The runtime every service starts from; `context` builds the service's use-case context from it."""
    clock = clock or SystemClock()
    outbox = Outbox(outbox_table, source=settings.service_name, clock=clock)
    database = Database(settings.database_url, pool_size=settings.database_pool_size, outbox=outbox)
    verifier = token_verifier or TokenVerifier(
        http_jwks_fetcher(settings.jwks_url), issuer=settings.jwt_issuer, audience=settings.jwt_audience,
        clock=clock,
    )
    runtime = Runtime(settings=settings, database=database, clock=clock, token_verifier=verifier)
    if context is not None:
        runtime.context = context(runtime)
    return runtime


def build_relay(settings: ServiceSettings) -> OutboxRelay:
    return OutboxRelay(
        dsn=settings.database_url, source=settings.service_name,
        bootstrap_servers=settings.kafka_bootstrap_servers, poll_seconds=settings.outbox_poll_seconds,
    )


def build_consumer(
    settings: ServiceSettings, database: Database, inbox: tuple[Table, Table], *, topics: list[str],
    handlers: Mapping[str, Handler], name: str | None = None,
) -> IdempotentConsumer:
    """A consumer group per service and purpose, e.g. `trade-accounts.identity-users`: by default the group
    deploy/topology.toml names for these topics."""
    name = name or consumer_group(settings, topics)
    return IdempotentConsumer(
        name=name, database=database, inbox=Inbox(*inbox, consumer=name), handlers=handlers, topics=topics,
        bootstrap_servers=settings.kafka_bootstrap_servers, max_attempts=settings.consumer_max_attempts,
        retry_backoff_seconds=settings.consumer_retry_backoff_seconds,
        commit_interval_seconds=settings.consumer_commit_interval_seconds,
    )


def consumer_group(settings: ServiceSettings, topics: list[str]) -> str:
    """The service's consumer group reading `topics`, as deploy/topology.toml names it (one place for its name)."""
    from servicekit import topology

    for group in topology.load().services[settings.service_name].consumer_groups:
        if set(group.topics) == set(topics):
            return group.name
    raise topology.TopologyError(f"{settings.service_name} has no consumer group reading {topics}")


def consumer_of_topic(settings: ServiceSettings, *topic_lists: list[str]) -> dict[str, str]:
    """Each topic the service reads as events, with its group: its API waits on them for a caller's own writes
    (servicekit.consistency)."""
    return {topic: consumer_group(settings, topics) for topics in topic_lists for topic in topics}
