"""OpenTelemetry for FastAPI, httpx, SQLAlchemy and aiokafka, and structured logs carrying the trace id.

Spans go to an OTLP collector when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and
as JSON lines into `PORTAL_TRACES_DIR/<service>.jsonl` when that is set (how
the system tests follow one request across processes). Set up once per
process, from the process's bootstrap, never at import.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import structlog
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

_configured = False


class JsonLinesSpanExporter(SpanExporter):
    """Appends finished spans to a file, one JSON object a line."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = []
        for span in spans:
            ctx = span.get_span_context()
            lines.append(json.dumps({
                "service": span.resource.attributes.get("service.name"),
                "name": span.name,
                "kind": span.kind.name,
                "trace_id": format(ctx.trace_id, "032x"),
                "span_id": format(ctx.span_id, "016x"),
                "parent_span_id": format(span.parent.span_id, "016x") if span.parent else None,
                "start": span.start_time,
                "end": span.end_time,
                "attributes": {k: str(v) for k, v in (span.attributes or {}).items()},
            }))
        with self._lock, self._path.open("a") as out:
            out.write("\n".join(lines) + "\n")
        return SpanExportResult.SUCCESS


def _add_trace_ids(_, __, event_dict):
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        event_dict["trace_id"] = format(ctx.trace_id, "032x")
        event_dict["span_id"] = format(ctx.span_id, "016x")
    return event_dict


def configure_logging(service_name: str, level: str = "INFO") -> None:
    logging.basicConfig(stream=sys.stderr, level=level, format="%(message)s")
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_trace_ids,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service_name)


def configure_tracing(
    service_name: str, *, otlp_endpoint: str | None, traces_dir: str | None, sample_ratio: float = 1.0
) -> TracerProvider | None:
    """Installs the process's tracer provider and instruments httpx and aiokafka."""
    global _configured
    if _configured:
        return trace.get_tracer_provider()  # type: ignore[return-value]
    if not otlp_endpoint and not traces_dir:
        return None
    # Parent-based: a request that arrives sampled (a traceparent flag) is traced
    # whole; new traces are started for `sample_ratio` of requests.
    provider = TracerProvider(
        resource=Resource.create({"service.name": service_name}),
        sampler=ParentBased(TraceIdRatioBased(sample_ratio)),
    )
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp_endpoint}/v1/traces"))
        )
    if traces_dir:
        # Batched off the request path, flushed often enough for a test to read soon after.
        exporter = JsonLinesSpanExporter(Path(traces_dir) / f"{service_name}-{os.getpid()}.jsonl")
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=200))
    trace.set_tracer_provider(provider)

    from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor().instrument()
    AIOKafkaInstrumentor().instrument()
    _configured = True
    return provider


def instrument_app(app, engine=None) -> None:
    """FastAPI and SQLAlchemy instrumentation, when tracing is configured."""
    if not _configured:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, exclude_spans=["receive", "send"])
    if engine is not None:
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine)
