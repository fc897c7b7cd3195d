"""Only a request that will be recorded goes through the instrumented stack; the others keep a trace id."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.instrumentation.utils import is_instrumentation_enabled
from opentelemetry.sdk.trace.sampling import Decision, ParentBased

from servicekit.telemetry import SampledAtTheEdge, _EdgeDecides

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


class Stack:
    """A stand-in for one middleware stack: notes what the request saw of the tracing context."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    async def __call__(self, scope, receive, send) -> None:
        span = trace.get_current_span()
        root = ParentBased(_EdgeDecides(0.0)).should_sample(None, 1, "GET /x").decision
        self.calls.append({
            "trace_id": format(span.get_span_context().trace_id, "032x"),
            "recording": span.is_recording(),
            "instrumented": is_instrumentation_enabled(),
            "root_decision": root,
        })


async def call(ratio: float, headers: list[tuple[bytes, bytes]], kind: str = "http") -> tuple[Stack, Stack]:
    traced, plain = Stack(), Stack()
    await SampledAtTheEdge(traced, plain, ratio)({"type": kind, "headers": headers}, None, None)
    return traced, plain


async def test_a_sampled_caller_is_traced_through_the_instrumented_stack():
    traced, plain = await call(0.0, [(b"traceparent", f"00-{TRACE_ID}-00f067aa0ba902b7-01".encode())])
    assert len(traced.calls) == 1 and plain.calls == []


async def test_an_unsampled_caller_keeps_its_trace_id_without_instrumentation():
    traced, plain = await call(1.0, [(b"traceparent", f"00-{TRACE_ID}-00f067aa0ba902b7-00".encode())])
    assert traced.calls == []
    [seen] = plain.calls
    assert seen["trace_id"] == TRACE_ID and not seen["recording"] and not seen["instrumented"]
    assert is_instrumentation_enabled()  # the request's context is gone afterwards


async def test_a_new_trace_is_started_at_the_ratio_and_recorded_whole():
    traced, plain = await call(1.0, [])
    [seen] = traced.calls
    assert plain.calls == [] and seen["root_decision"] is Decision.RECORD_AND_SAMPLE

    traced, plain = await call(0.0, [(b"traceparent", b"not a traceparent")])
    [seen] = plain.calls
    assert traced.calls == [] and seen["trace_id"] != "0" * 32 and not seen["recording"]


async def test_lifespan_and_websockets_take_the_plain_stack():
    traced, plain = await call(1.0, [], kind="lifespan")
    assert traced.calls == [] and len(plain.calls) == 1


def test_outside_an_edge_decision_new_traces_follow_the_ratio():
    assert _EdgeDecides(0.0).should_sample(None, 1, "relay").decision is Decision.DROP
    assert _EdgeDecides(1.0).should_sample(None, 1, "relay").decision is Decision.RECORD_AND_SAMPLE
