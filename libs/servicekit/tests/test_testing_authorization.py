"""servicekit.testing.authorization: a wrong status fails, and so does a refusal that changed something."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Header

from servicekit.errors import Forbidden
from servicekit.problems import install_problem_handlers
from servicekit.testing.authorization import Endpoint, Matrix
from servicekit.testing.junk import Operation

OWNER, STRANGER = "owner", "stranger"


@pytest.fixture
async def toy():
    store: list[str] = []
    router = APIRouter()

    @router.post("/things/{thing_id}")
    async def careless_write(thing_id: str, x_caller: str = Header()) -> dict:
        store.append(thing_id)  # written before the check: the refusal leaves it behind
        if x_caller != OWNER:
            raise Forbidden()
        return {}

    @router.get("/things")
    async def read() -> list:
        return store

    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router)

    async def fingerprint() -> dict:
        return {"things": (len(store), "")}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://toy") as client:
        yield client, router, fingerprint


MATRIX = Matrix(callers=[OWNER, STRANGER], endpoints={
    "write": Endpoint("POST", "/things/{thing}", {OWNER: 200, STRANGER: 403}, rule="PL-00"),
    "read": Endpoint("GET", "/things", {OWNER: 200, STRANGER: 404}),
})
HEADERS = {OWNER: {"x-caller": OWNER}, STRANGER: {"x-caller": STRANGER}}


async def test_an_allowed_call_passes(toy):
    client, _, fingerprint = toy
    await MATRIX.check(client, "write", OWNER, headers=HEADERS, values={"thing": "a"}, fingerprint=fingerprint)


async def test_a_refusal_that_changed_something_fails(toy):
    client, _, fingerprint = toy
    with pytest.raises(AssertionError, match="was refused .403. but changed"):
        await MATRIX.check(client, "write", STRANGER, headers=HEADERS, values={"thing": "a"}, fingerprint=fingerprint)


async def test_a_wrong_status_fails(toy):
    client, _, fingerprint = toy
    with pytest.raises(AssertionError, match="expected 404, got 200"):
        await MATRIX.check(client, "read", STRANGER, headers=HEADERS, values={}, fingerprint=fingerprint)


def test_cells_carry_only_their_rows_rule_and_coverage_is_by_route(toy):
    _, router, _ = toy
    tagged = {p.id: [m.args for m in p.marks] for p in MATRIX.cases()}
    assert tagged == {"write-owner": [("PL-00",)], "write-stranger": [("PL-00",)], "read-owner": [], "read-stranger": []}
    assert MATRIX.uncovered(router) == set()
    assert Matrix(callers=[OWNER], endpoints={}).uncovered(router) == {
        Operation("GET", "/things"), Operation("POST", "/things/{thing_id}")}
    with pytest.raises(ValueError, match="expected statuses"):
        Matrix(callers=[OWNER, STRANGER], endpoints={"x": Endpoint("GET", "/", {OWNER: 200})})
