"""OpenTelemetry for FastAPI, httpx, SQLAlchemy and aiokafka, and structured logs carrying the trace id.

Spans go to an OTLP collector when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and
as JSON lines into `PORTAL_TRACES_DIR/<service>.jsonl` when that is set (how
the system tests follow one request across processes). Set up once per
process, from the process's bootstrap, never at import.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import random
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import structlog
from opentelemetry import context, trace
from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY  # what every instrumentation checks
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_configured = False
_sample_ratio = 1.0


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
    # whole; new traces are started for `sample_ratio` of requests (decided at
    # the edge for HTTP requests, see SampledAtTheEdge).
    global _sample_ratio
    _sample_ratio = sample_ratio
    provider = TracerProvider(
        resource=Resource.create({"service.name": service_name}),
        sampler=ParentBased(_EdgeDecides(sample_ratio)),
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
    """FastAPI and SQLAlchemy instrumentation, when tracing is configured; only sampled requests pay for it."""
    if not _configured:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    build_plain = app.build_middleware_stack
    FastAPIInstrumentor.instrument_app(app, exclude_spans=["receive", "send"])
    build_traced = app.build_middleware_stack
    app.build_middleware_stack = lambda: SampledAtTheEdge(build_traced(), build_plain(), _sample_ratio)
    if engine is not None:
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine)


# --- sampling decided once, at the edge of the process -------------------------------------

# True while the edge is running a new trace it chose to record.
_edge_traced: contextvars.ContextVar[bool] = contextvars.ContextVar("servicekit_edge_traced", default=False)
_propagator = TraceContextTextMapPropagator()


class _EdgeDecides(Sampler):
    """A new trace the edge chose is recorded; any other new trace is sampled at the ratio."""

    def __init__(self, ratio: float) -> None:
        self._ratio = TraceIdRatioBased(ratio)

    def should_sample(self, parent_context, trace_id, name, kind=None, attributes=None, links=None,
                      trace_state=None) -> SamplingResult:
        if _edge_traced.get():
            return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes)
        return self._ratio.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"EdgeDecides({self._ratio.get_description()})"


class SampledAtTheEdge:
    """Sends an HTTP request through OpenTelemetry's instrumented stack only when it will be recorded.

    The instrumented stack cost identity's `GET /me` about 500 us of CPU per
    request even when the request was not sampled (measured in-process with
    sample ratio 0: 1,545 vs 1,033 us; the route scan that names the span,
    request attributes, three non-recording spans, pool-usage metrics). The
    decision is the provider's own: a caller's traceparent flag, else the
    ratio. A request not recorded runs the plain stack under a non-recording
    span that keeps the caller's trace id (or a new one), so logs and the
    outbox's traceparent still name its trace, with instrumentation
    suppressed (SQLAlchemy and httpx skip their per-call work).
    """

    def __init__(self, traced, plain, ratio: float) -> None:
        self.traced = traced
        self.plain = plain
        self.ratio = ratio

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.plain(scope, receive, send)
            return
        carrier = {}
        for name, value in scope["headers"]:
            if name == b"traceparent" or name == b"tracestate":
                carrier[name.decode()] = value.decode("latin-1")
        parent = trace.get_current_span(_propagator.extract(carrier)).get_span_context() if carrier else None
        if parent is not None and parent.is_valid:
            if parent.trace_flags.sampled:
                await self.traced(scope, receive, send)
                return
            trace_id = parent.trace_id
        else:
            if random.random() < self.ratio:
                token = _edge_traced.set(True)
                try:
                    await self.traced(scope, receive, send)
                finally:
                    _edge_traced.reset(token)
                return
            trace_id = random.getrandbits(128) or 1
        unsampled = trace.NonRecordingSpan(trace.SpanContext(
            trace_id, random.getrandbits(64) or 1, is_remote=False, trace_flags=trace.TraceFlags(0)))
        quiet = context.set_value(_SUPPRESS_INSTRUMENTATION_KEY, True, trace.set_span_in_context(unsampled))
        token = context.attach(quiet)
        try:
            await self.plain(scope, receive, send)
        finally:
            context.detach(token)
