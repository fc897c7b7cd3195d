"""The authorization-matrix harness: endpoint × caller → expected status; a refusal changes nothing.

A service's test declares only the table, and how to set the scene:

    MATRIX = Matrix(callers=[ANON, USER, ADMIN], endpoints={
        "read account": Endpoint("GET", "/trade-accounts/{account}", {ANON: 401, USER: 200, ADMIN: 200}),
        "rename company": Endpoint("PUT", "/trade-accounts/{account}/company-information",
                                   {ANON: 401, USER: 403, ADMIN: 200},
                                   body=lambda scene: {...}, rule="TA-02"),
    })

    @MATRIX.parametrize
    async def test_each_caller_gets_exactly_what_they_may(client, fingerprint, endpoint, caller):
        ...  # make the accounts and people
        await MATRIX.check(client, endpoint, caller, headers={ANON: {}, USER: ...}, values={"account": id},
                           fingerprint=fingerprint)

    def test_the_matrix_covers_every_route():
        assert MATRIX.uncovered(router) == set()

A row sends JSON (`body=`), or a multipart form (`files=` and `data=`, as httpx takes them) for an upload:

    "upload": Endpoint("POST", "/libraries/{library}/documents", {...},
                       files=lambda scene: {"file": ("seal.pdf", make_pdf(), "application/pdf")},
                       data=lambda scene: {"title": "Seal log"}),

Each (endpoint, caller) is one test case; a row's `rule` tags only that row's
cases, since only they prove it. `check` asserts the status, that a refusal
is problem+json, and that the database's fingerprint after a refusal equals
the one before.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from servicekit.testing.fingerprint import changed_tables
from servicekit.testing.junk import Operation, operations

PROBLEM_JSON = "application/problem+json"
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True)
class Endpoint:
    """One row: a request (path placeholders filled from the scene) and the status each caller gets."""

    method: str
    path: str
    expected: Mapping[str, int]
    # JSON to send, or a function of the scene (the values given to `check`, plus "caller").
    body: Any = None
    # The requirement this row decides (e.g. who may rename a company); its cases carry the tag.
    rule: str | None = None
    # A multipart form instead of JSON (an upload): httpx's `files` and form `data`, or functions of the scene.
    # A function is called for each request, so a file's bytes can be new each time.
    files: Any = None
    data: Any = None

    def __post_init__(self) -> None:
        if self.body is not None and (self.files is not None or self.data is not None):
            raise ValueError(f"{self.method} {self.path}: a JSON body or a form (files, data), not both")

    def operation(self) -> Operation:
        return Operation(self.method, _PLACEHOLDER.sub("{}", self.path))

    async def send(self, client: httpx.AsyncClient, scene: Mapping[str, Any],
                   headers: Mapping[str, str]) -> httpx.Response:
        """The row's request, its path and body filled from `scene` (to send it again with other values, too)."""
        path = self.path.format(**{k: v for k, v in scene.items() if isinstance(v, str | int)})
        if self.files is not None or self.data is not None:
            files = self.files(scene) if callable(self.files) else self.files
            data = self.data(scene) if callable(self.data) else self.data
            return await client.request(self.method, path, files=files, data=data, headers=dict(headers))
        body = self.body(scene) if callable(self.body) else self.body
        return await client.request(self.method, path, json=body, headers=dict(headers))


class Matrix:
    def __init__(self, *, callers: Sequence[str], endpoints: Mapping[str, Endpoint]) -> None:
        for name, endpoint in endpoints.items():
            if set(endpoint.expected) != set(callers):
                raise ValueError(f"{name}: expected statuses for {sorted(endpoint.expected)}, callers are {callers}")
        self.callers = list(callers)
        self.endpoints = dict(endpoints)

    def cases(self) -> list[Any]:
        """`pytest.param(endpoint, caller)` for every cell, tagged with its row's rule."""
        return [
            pytest.param(name, caller, id=f"{name}-{caller}",
                         marks=[pytest.mark.req(endpoint.rule)] if endpoint.rule else [])
            for name, endpoint in self.endpoints.items()
            for caller in self.callers
        ]

    def parametrize(self, test: Callable) -> Callable:
        """Decorator: the test runs once per cell, with `endpoint` and `caller` arguments."""
        return pytest.mark.parametrize(("endpoint", "caller"), self.cases())(test)

    async def check(
        self,
        client: httpx.AsyncClient,
        endpoint: str,
        caller: str,
        *,
        headers: Mapping[str, Mapping[str, str]],
        values: Mapping[str, Any],
        fingerprint: Callable[[], Awaitable[Mapping[str, Any]]],
    ) -> httpx.Response:
        """Sends the row's request as `caller` (`headers[caller]`) and checks what came back and what changed."""
        row = self.endpoints[endpoint]
        before = await fingerprint()
        response = await row.send(client, {**values, "caller": caller}, headers[caller])
        expected = row.expected[caller]
        assert response.status_code == expected, (
            f"{endpoint} as {caller}: expected {expected}, got {response.status_code} {response.text[:300]}")
        if response.status_code >= 400:
            assert response.headers.get("content-type") == PROBLEM_JSON, (endpoint, caller, response.headers)
            changed = changed_tables(before, await fingerprint())
            assert not changed, f"{endpoint} as {caller} was refused ({expected}) but changed {changed}"
        return response

    def uncovered(self, *routers: Any) -> set[Operation]:
        """The routers' operations that no row exercises (placeholders compared by position, not name)."""
        covered = {endpoint.operation() for endpoint in self.endpoints.values()}
        return {
            op for op in operations(*routers) if Operation(op.method, _PLACEHOLDER.sub("{}", op.path)) not in covered
        }
