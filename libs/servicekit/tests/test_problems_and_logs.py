"""Errors become problem+json naming each field; a refused request changes nothing; logs carry the trace id."""

from __future__ import annotations

import json

import httpx
import pytest
import structlog
from fastapi import APIRouter, FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from pydantic import BaseModel, Field

from servicekit.errors import Conflict, FieldError, ValidationFailed
from servicekit.problems import install_problem_handlers
from servicekit.telemetry import configure_logging


class Body(BaseModel):
    name: str = Field(min_length=2)
    count: int


def app_with_routes() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    router = APIRouter()

    @router.post("/things")
    async def create(body: Body) -> dict:
        if body.name == "taken":
            raise Conflict("name: taken", [FieldError("name", "is taken")])
        if body.count < 0:
            raise ValidationFailed.on("count", "must not be negative")
        return {"ok": True}

    @router.get("/boom")
    async def boom() -> dict:
        raise RuntimeError("a bug, not the client's fault")

    app.include_router(router)
    return app


@pytest.fixture
async def client():
    transport = httpx.ASGITransport(app=app_with_routes(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


@pytest.mark.req("PL-07")
async def test_every_bad_field_is_named(client):
    response = await client.post("/things", json={"name": "x", "count": "many"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["type"].endswith("/validation-failed")
    assert {e["field"] for e in problem["errors"]} == {"name", "count"}


@pytest.mark.req("PL-07")
async def test_domain_errors_keep_their_status_and_field(client):
    taken = await client.post("/things", json={"name": "taken", "count": 1})
    assert taken.status_code == 409 and taken.json()["errors"] == [{"field": "name", "message": "is taken"}]
    negative = await client.post("/things", json={"name": "ok", "count": -1})
    assert negative.status_code == 422 and negative.json()["errors"][0]["field"] == "count"


async def test_unknown_paths_and_bugs_are_problems_too(client):
    missing = await client.get("/nowhere")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    bug = await client.get("/boom")
    assert bug.status_code == 500 and "a bug" not in bug.text  # nothing internal leaks


@pytest.mark.req("PL-05")
def test_logs_carry_the_trace_id(capsys):
    configure_logging("logtest")
    tracer = TracerProvider().get_tracer("t")
    with tracer.start_as_current_span("work") as span:
        structlog.get_logger("x").info("inside a span")
        trace_id = format(span.get_span_context().trace_id, "032x")
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["trace_id"] == trace_id and line["event"] == "inside a span"
    assert trace.get_current_span().get_span_context().is_valid is False
