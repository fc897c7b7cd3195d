"""servicekit.testing.junk finds what it is for: a 500, a refusal that is not a problem, junk accepted, a change."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from servicekit.problems import install_problem_handlers
from servicekit.schema_types import Strict, integer, text
from servicekit.testing import junk


class Careful(Strict):
    name: text(100)
    count: integer(ge=0, le=1000)


class Careless(BaseModel):  # takes unknown fields, any text, any size
    name: str


def toy_app(written: list) -> tuple[FastAPI, APIRouter]:
    router = APIRouter()

    @router.post("/careful/{item_id}")
    async def careful(item_id: uuid.UUID, body: Careful) -> dict:
        return {"id": str(item_id)}

    @router.post("/careless")
    async def careless(body: Careless) -> dict:
        if "\x00" in body.name:
            raise RuntimeError("the database refuses NUL")
        written.append(body.name)
        return {}

    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router)
    return app, router


@pytest.fixture
def written() -> list:
    return []


@pytest.fixture
async def setup(written):
    app, router = toy_app(written)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://toy") as client:
        yield app, router, client


async def test_a_careful_route_passes_and_every_kind_of_junk_was_sent(setup):
    app, router, client = setup
    findings = await junk.check(client, app, junk.Operation("POST", "/careful/{item_id}"))
    assert findings.requests > 40


async def test_a_careless_route_is_reported_with_everything_wrong(setup, written):
    app, router, client = setup

    async def fingerprint() -> dict:
        return {"written": (len(written), "")}

    with pytest.raises(AssertionError) as failed:
        await junk.check(client, app, junk.Operation("POST", "/careless"), fingerprint=fingerprint)
    report = str(failed.value)
    assert "name with a NUL character: a server error" in report
    assert "unknown field 'unexpected_field': junk accepted" in report
    assert "name 100,000 characters: junk accepted" in report
    assert "the junk changed the database: {'written'" in report


def test_operations_are_listed_from_routers_and_checked_against_the_app(setup):
    app, router, _ = setup
    listed = junk.operations(router)
    assert [str(o) for o in listed] == ["POST /careful/{item_id}", "POST /careless"]
    assert junk.unlisted(app, listed[:1]) == {junk.Operation("POST", "/careless")}
