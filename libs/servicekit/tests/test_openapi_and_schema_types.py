"""The shared vocabulary refuses what it documents, and the document lists every problem an operation can answer."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from servicekit.deps import CurrentPrincipal
from servicekit.openapi import document_problems, problem_responses
from servicekit.problems import install_problem_handlers
from servicekit.schema_types import Count, Phone, Strict, StrictDate, text


class Company(Strict):
    name: text(20)
    note: text(50, blank=True) | None = None
    founded: StrictDate | None = None
    employees: Count | None = None
    phone: Phone | None = None


def make_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    router = APIRouter()

    @router.post("/companies", status_code=201, responses=problem_responses(409))
    async def create(body: Company) -> Company:
        return body

    @router.get("/companies/{company_id}")
    async def read(company_id: int, principal: CurrentPrincipal) -> dict:
        return {}

    @router.delete("/companies/{company_id}", status_code=204)
    async def remove(company_id: int) -> None:
        return None

    app.include_router(router)
    document_problems(app)
    return app


@pytest.fixture
async def client():
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"name": "Acme\u0000"}, "name", "must not contain a NUL character"),
    ({"name": "Acme \ud800"}, "name", "must not contain an unpaired surrogate"),
    ({"name": " \t "}, "name", "must not be blank"),
    ({"name": "x" * 21}, "name", "must have at most 20 characters"),
    ({"name": "Acme", "note": "\u0000"}, "note", "must not contain a NUL character"),
    ({"name": "Acme", "founded": 0}, "founded", "must be a date written YYYY-MM-DD"),
    ({"name": "Acme", "founded": "0"}, "founded", "must be a date written YYYY-MM-DD"),
    ({"name": "Acme", "employees": "5"}, "employees", "Input should be a valid integer"),
    ({"name": "Acme", "phone": "--------"}, "phone", "must be 7 to 30 digits"),
    ({"name": "Acme", "extra": 1}, "extra", "Extra inputs are not permitted"),
])
async def test_text_and_strict_types_refuse_with_a_422_naming_the_field(client, body, field, message):
    # json.dumps escapes a lone surrogate as \ud800, as a client's JSON would carry it.
    response = await client.post("/companies", content=json.dumps(body), headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == field and error["message"].startswith(message), error


async def test_accepted_text_is_stripped_and_dates_are_dates(client):
    response = await client.post("/companies", json={"name": "  Acme  ", "note": "", "founded": "1999-12-31",
                                                      "employees": 3, "phone": "+1 (202) 555-0100"})
    assert response.status_code == 201, response.text
    assert response.json() == {"name": "Acme", "note": "", "founded": "1999-12-31", "employees": 3,
                               "phone": "+1 (202) 555-0100"}


def test_what_a_text_type_refuses_its_schema_says():
    schema = Company.model_json_schema()["properties"]["name"]
    assert schema["maxLength"] == 20 and schema["minLength"] == 1
    pattern = re.compile(schema["pattern"])
    assert pattern.search("Acme") and not pattern.search("Ac\u0000me") and not pattern.search("  ")


def test_every_operation_documents_its_problems_as_problem_json():
    document = make_app().openapi()
    create = document["paths"]["/companies"]["post"]["responses"]
    read = document["paths"]["/companies/{company_id}"]["get"]
    assert set(create) == {"201", "400", "409", "422"}
    assert set(read["responses"]) == {"200", "401", "403", "404", "422"}
    assert read["security"] == [{"bearer": []}]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for status, response in {**create, **read["responses"]}.items():
        if int(status) >= 400:
            assert response["content"] == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert "HTTPValidationError" not in document["components"]["schemas"]


async def test_a_405_allows_every_method_of_the_path(client):
    response = await client.patch("/companies/1")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET"
