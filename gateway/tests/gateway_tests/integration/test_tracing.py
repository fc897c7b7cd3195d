"""Trace context: the upstream's parent is the gateway's client span, under its server span."""

from __future__ import annotations

import uuid

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

pytestmark = pytest.mark.req("PL-05")

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"


async def test_traceparent_continues_the_callers_trace_through_the_gateway(
    start_gateway, echo_service
):
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    rid = uuid.uuid4().hex
    async with start_gateway(tracer_provider=provider) as client:
        response = await client.get(
            "/api/echo/echo/traced",
            headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01", "x-request-id": rid},
        )
        assert response.status_code == 200

    _, trace_id, parent_id, _ = echo_service.by_request_id(rid)[0]["headers"]["traceparent"].split("-")
    assert trace_id == CALLER_TRACE
    spans = {format(s.context.span_id, "016x"): s for s in exporter.get_finished_spans()}
    client_span = spans[parent_id]
    assert client_span.kind == SpanKind.CLIENT
    assert client_span.attributes["gateway.upstream"] == "echo"
    assert client_span.attributes["http.response.status_code"] == 200
    server_span = spans[format(client_span.parent.span_id, "016x")]
    assert server_span.kind == SpanKind.SERVER
    assert server_span.name == "GET /api/echo/{path}"
    assert format(server_span.parent.span_id, "016x") == CALLER_SPAN


async def test_without_tracing_the_callers_traceparent_passes_unchanged(gateway, echo_service):
    rid = uuid.uuid4().hex
    traceparent = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"
    await gateway.get("/api/echo/echo/t", headers={"traceparent": traceparent, "x-request-id": rid})
    assert echo_service.by_request_id(rid)[0]["headers"]["traceparent"] == traceparent
