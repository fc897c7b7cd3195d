"""The junk-input harness (PL-07): every route, malformed input, never a 500, always a problem, nothing changed.

A service's test lists its routes at collection time and checks each one:

    OPERATIONS = junk.operations(router, requests_routes.router, health_router())

    @pytest.mark.req("PL-07")
    @pytest.mark.parametrize("operation", OPERATIONS, ids=str)
    async def test_junk_input(client, app, runtime, operation):
        await junk.check(client, app, operation, headers=..., path_values={"account_id": ...},
                         fingerprint=lambda: database_fingerprint(runtime.database))

    def test_every_route_is_listed(app):
        assert junk.unlisted(app, OPERATIONS) == set()

For one operation, `check` sends, as the given caller:
- bodies that are not JSON, not an object, cut short, nested too deep, or empty when fields are required;
- a body built from the operation's OpenAPI schema (or the example given) with one field at a time made
  wrong: the wrong type, null, missing, 100,000 characters, a NUL character, an unpaired surrogate,
  a malformed uuid, email or date, a number beyond 64 bits; and with an unknown field added;
- each path parameter replaced by a malformed or unknown value; each query parameter by junk.

Every answer must be below 500, and a refusal `application/problem+json`. Malformed bodies and path
values must be refused (4xx), and the database's fingerprint after the whole run must equal the one
before. Findings are collected and reported together, so one run shows everything wrong with a route.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute

from servicekit.testing.fingerprint import changed_tables

PROBLEM_JSON = "application/problem+json"
HUGE = "x" * 100_000
NUL = "a\u0000b"
SURROGATE = "a\ud800b"  # json.dumps writes it as the escape \ud800, which no UTF-8 string can hold
UNKNOWN_FIELD = "unexpected_field"
DEPTH = 3  # how deep into nested objects fields are made wrong one at a time

# Raw bodies no route should take (sent with content-type application/json).
JUNK_BODIES: tuple[tuple[str, bytes], ...] = (
    ("empty", b""),
    ("null", b"null"),
    ("array", b"[]"),
    ("string", b'"text"'),
    ("number", b"1e999"),
    ("cut short", b'{"a": '),
    ("not UTF-8", b"\xff\xfe\x00garbage"),
    ("operator object", b'{"$ne": null}'),
    ("nested 100,000 deep", b"[" * 100_000),
    ("duplicate keys", b'{"a": 1, "a": 2}'),
)
# Path parameter values that name nothing or are malformed (already percent-encoded).
JUNK_PATH_VALUES: tuple[tuple[str, str], ...] = (
    ("not a uuid", "not-a-uuid"),
    ("NUL", "%00"),
    ("unpaired surrogate (CESU-8)", "%ED%A0%80"),
    ("not UTF-8", "%FF%FE"),
    ("2,000 characters", "9" * 2000),
    ("SQL", quote("'; drop table x;--", safe="")),
    ("unknown uuid", "00000000-0000-0000-0000-000000000000"),
    ("dot dot", "%2E%2E"),
)
JUNK_QUERY_VALUES: tuple[tuple[str, str], ...] = (
    ("not a uuid", "not-a-uuid"),
    ("NUL", "\u0000"),
    ("unpaired surrogate", "%ED%A0%80"),
    ("10,000 characters", "x" * 10_000),
    ("huge number", "9" * 40),
)


@dataclass(frozen=True, order=True)
class Operation:
    """A route and one of its methods, as the router declares it (path with `{parameter}`s)."""

    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def operations(*routers: Any) -> list[Operation]:
    """Every (method, path) of the routers or apps given, HEAD and OPTIONS left out; collection-time safe.

    Only API routes: FastAPI's own documentation pages take no input.
    """
    found = set()
    for router in routers:
        for path, route in api_routes(router.routes):
            for method in route.methods:
                if method not in {"HEAD", "OPTIONS"}:
                    found.add(Operation(method, path))
    return sorted(found)


def api_routes(routes: Iterable[Any], prefix: str = "") -> Iterable[tuple[str, APIRoute]]:
    """`(path, route)` of every API route, into included routers: FastAPI (0.165) keeps an included
    router as one entry of `app.routes`, so a plain walk of `app.routes` sees only the docs pages."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path_format, route
        elif hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes, prefix + route.include_context.prefix)


def unlisted(app: FastAPI, listed: Iterable[Operation]) -> set[Operation]:
    """The app's operations that `listed` misses (a router added to the app but not to the test)."""
    return set(operations(app)) - set(listed)


@dataclass
class Findings:
    operation: Operation
    problems: list[str] = field(default_factory=list)
    requests: int = 0

    def add(self, what: str, response: httpx.Response | None, why: str) -> None:
        answer = "raised" if response is None else f"{response.status_code} {response.text[:200]!r}"
        self.problems.append(f"{what}: {why} ({answer})")

    def __str__(self) -> str:
        lines = "\n  ".join(self.problems)
        return f"{self.operation}: {len(self.problems)} of {self.requests} junk requests went wrong:\n  {lines}"


async def check(
    client: httpx.AsyncClient,
    app: FastAPI,
    operation: Operation,
    *,
    headers: Mapping[str, str] | None = None,
    path_values: Mapping[str, str] | None = None,
    body: Any = None,
    fingerprint: Callable[[], Awaitable[Mapping[str, Any]]] | None = None,
) -> Findings:
    """Sends the operation every kind of junk as the caller `headers`; fails with every finding at once.

    `path_values`: real values for path parameters (e.g. an account the caller may edit), so body
    junk reaches validation behind the access checks; parameters not given get a random uuid.
    `body`: a valid body to make wrong one field at a time (default: built from the OpenAPI schema).
    `fingerprint`: read before and after the run; they must be equal.
    """
    findings = Findings(operation)
    spec = _operation_spec(app, operation)
    before = await fingerprint() if fingerprint else None
    caller = dict(headers or {})
    values = {name: str(path_values.get(name, uuid.uuid4())) if path_values else str(uuid.uuid4())
              for name in _path_parameters(spec)}
    path = _fill(operation.path, values)

    async def send(what: str, *, url: str = path, content: bytes | None = None, params: Any = None,
                   as_caller: bool = True, must_refuse: bool = True,
                   content_type: str = "application/json") -> None:
        findings.requests += 1
        request_headers = {**(caller if as_caller else {}), "content-type": content_type}
        try:
            response = await client.request(operation.method, url, content=content, params=params,
                                            headers=request_headers)
        except Exception as exc:  # the app raised: a 500 for a real client
            findings.add(what, None, f"{type(exc).__name__}: {exc}"[:300])
            return
        if response.status_code >= 500:
            findings.add(what, response, "a server error")
        elif response.status_code >= 400:
            if response.headers.get("content-type") != PROBLEM_JSON:
                findings.add(what, response, f"refused as {response.headers.get('content-type')}, not problem+json")
        elif must_refuse:
            findings.add(what, response, "junk accepted")

    body_schema = _body_schema(app, spec)
    if body_schema is not None:
        for name, raw in JUNK_BODIES:
            await send(f"body {name}", content=raw)
            await send(f"body {name}, anonymous", content=raw, as_caller=False)
        resolved = _resolve(app, body_schema)
        if resolved.get("required"):
            await send("body {} (required fields missing)", content=b"{}")
        base = copy.deepcopy(body) if body is not None else example(app, body_schema)
        await send("valid body as text/plain", content=json.dumps(base).encode(), content_type="text/plain")
        for what, wrong in mutations(app, body_schema, base):
            await send(f"body {what}", content=json.dumps(wrong).encode())
    for name in _path_parameters(spec):
        for what, junk in JUNK_PATH_VALUES:
            await send(f"path {name} = {what}", url=_fill(operation.path, {**values, name: junk}))
    for name in _query_parameters(spec):
        for what, junk in JUNK_QUERY_VALUES:
            url = f"{path}?{quote(name)}={junk if junk.startswith('%') else quote(junk, safe='')}"
            await send(f"query {name} = {what}", url=url, must_refuse=False)
    if fingerprint is not None:
        changed = changed_tables(before, await fingerprint())
        if changed:
            findings.problems.append(f"the junk changed the database: {changed}")
    assert not findings.problems, str(findings)
    return findings


# --- the operation's OpenAPI description -------------------------------------------------


def _operation_spec(app: FastAPI, operation: Operation) -> dict[str, Any]:
    paths = app.openapi().get("paths", {})
    spec = paths.get(operation.path, {}).get(operation.method.lower())
    if spec is None:  # not in the document (include_in_schema=False): what the route itself declares
        return _spec_from_route(app, operation)
    return spec


def _spec_from_route(app: FastAPI, operation: Operation) -> dict[str, Any]:
    for path, route in api_routes(app.routes):
        if path == operation.path and operation.method in route.methods:
            return {"parameters": [{"name": p.alias, "in": "path"} for p in route.dependant.path_params]
                    + [{"name": p.alias, "in": "query"} for p in route.dependant.query_params]}
    return {"parameters": [{"name": n, "in": "path"} for n in _placeholders(operation.path)]}


def _placeholders(path: str) -> list[str]:
    return [part[1:-1].split(":")[0] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def _path_parameters(spec: Mapping[str, Any]) -> list[str]:
    return [p["name"] for p in spec.get("parameters", []) if p.get("in") == "path"]


def _query_parameters(spec: Mapping[str, Any]) -> list[str]:
    return [p["name"] for p in spec.get("parameters", []) if p.get("in") == "query"]


def _fill(template: str, values: Mapping[str, str]) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def _body_schema(app: FastAPI, spec: Mapping[str, Any]) -> dict[str, Any] | None:
    content = spec.get("requestBody", {}).get("content", {})
    media = content.get("application/json")
    return media.get("schema") if media else None


def _resolve(app: FastAPI, schema: Mapping[str, Any]) -> dict[str, Any]:
    """Follows `$ref`s, and picks the non-null branch of `anyOf: [X, null]`."""
    components = app.openapi().get("components", {}).get("schemas", {})
    seen = 0
    while True:
        seen += 1
        if seen > 20:
            return dict(schema)
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[-1]]
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        elif "anyOf" in schema or "oneOf" in schema:
            branches = [b for b in schema.get("anyOf", schema.get("oneOf", [])) if b.get("type") != "null"]
            if not branches:
                return dict(schema)
            schema = branches[0]
        else:
            return dict(schema)


def _nullable(schema: Mapping[str, Any]) -> bool:
    branches = schema.get("anyOf", schema.get("oneOf", []))
    return schema.get("type") == "null" or any(b.get("type") == "null" for b in branches) or (
        isinstance(schema.get("type"), list) and "null" in schema["type"])


# --- bodies: a plausible one, then one field wrong at a time -----------------------------

_FORMAT_EXAMPLES = {"email": "someone@example.com", "uuid": "", "date": "2020-01-31",
                    "date-time": "2020-01-31T12:00:00Z", "uri": "https://example.com/"}
_FORMAT_JUNK = {"email": "not-an-email", "uuid": "not-a-uuid", "date": "2026-02-30",
                "date-time": "yesterday", "uri": "::not a uri"}


def example(app: FastAPI, schema: Mapping[str, Any], depth: int = 0) -> Any:
    """A value the schema plausibly accepts (best effort: patterns are not solved)."""
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    s = _resolve(app, schema)
    if "const" in s:
        return s["const"]
    if s.get("enum"):
        return s["enum"][0]
    kind = s.get("type")
    if kind == "object" or "properties" in s:
        if depth > 6:
            return {}
        return {name: example(app, sub, depth + 1) for name, sub in s.get("properties", {}).items()}
    if kind == "array":
        count = max(1, s.get("minItems", 1))
        return [example(app, s.get("items", {}), depth + 1) for _ in range(count)]
    if kind == "integer":
        return max(s.get("minimum", 1), 1) if s.get("maximum", 1) >= 1 else s.get("maximum")
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    if s.get("format") == "uuid":
        return str(uuid.uuid4())
    if s.get("format") in _FORMAT_EXAMPLES:
        return _FORMAT_EXAMPLES[s["format"]]
    length = max(s.get("minLength", 1), min(s.get("maxLength", 12), 12))
    return ("Example text " * 10)[:length]


def mutations(app: FastAPI, schema: Mapping[str, Any], base: Any) -> list[tuple[str, Any]]:
    """`(what, body)`: the base body with one thing wrong, down to nested objects `DEPTH` deep."""
    out: list[tuple[str, Any]] = []
    if isinstance(base, dict):
        out.append((f"with an unknown field {UNKNOWN_FIELD!r}", {**base, UNKNOWN_FIELD: 1}))
    _mutate(app, schema, base, (), out, 0)
    return out


def _mutate(app: FastAPI, schema: Mapping[str, Any], base: Any, at: tuple, out: list, depth: int) -> None:
    s = _resolve(app, schema)
    properties = s.get("properties", {})
    if not properties or not isinstance(_get(base, at), dict):
        return
    required = set(s.get("required", []))
    for name, sub in properties.items():
        here = (*at, name)
        label = ".".join(str(p) for p in here)
        present = name in _get(base, at)
        if name in required and present:
            out.append((f"{label} missing", _without(base, here)))
        if not _nullable(sub) and name in required:
            out.append((f"{label} null", _with(base, here, None)))
        for what, value in _wrong_values(app, sub):
            out.append((f"{label} {what}", _with(base, here, value)))
        child = _resolve(app, sub)
        if depth + 1 < DEPTH and isinstance(_get(base, here), dict):
            out.append((f"{label} with an unknown field", _with(base, (*here, UNKNOWN_FIELD), 1)))
            _mutate(app, child, base, here, out, depth + 1)
        elif child.get("type") == "array" and isinstance(_get(base, here), list) and _get(base, here):
            item = _resolve(app, child.get("items", {}))
            for what, value in _wrong_values(app, child.get("items", {})):
                out.append((f"{label}[0] {what}", _with(base, (*here, 0), value)))
            if item.get("properties") and isinstance(_get(base, (*here, 0)), dict) and depth + 1 < DEPTH:
                _mutate(app, item, base, (*here, 0), out, depth + 1)


def _wrong_values(app: FastAPI, schema: Mapping[str, Any]) -> list[tuple[str, Any]]:
    s = _resolve(app, schema)
    kind = s.get("type")
    if kind == "string" or (kind is None and "enum" in s and all(isinstance(v, str) for v in s["enum"])):
        values = [("as a number", 12345), ("as an operator object", {"$ne": None}),
                  ("100,000 characters", HUGE), ("with a NUL character", NUL),
                  ("with an unpaired surrogate", SURROGATE)]
        if s.get("minLength", 0) >= 1:
            values.append(("empty", ""))
        if s.get("enum"):
            values.append(("not one of its values", "not-one-of-them"))
        if s.get("format") in _FORMAT_JUNK:
            values.append((f"not a {s['format']}", _FORMAT_JUNK[s["format"]]))
        return values
    if kind in ("integer", "number"):
        values = [("as text", "many"), ("beyond 64 bits", 10**30), ("as an object", {"n": 1})]
        if kind == "integer":
            values.append(("as a fraction", 1.5))
        if "minimum" in s:
            values.append(("below its minimum", s["minimum"] - 1))
        return values
    if kind == "boolean":
        return [("as text", "maybe"), ("as a list", [True])]
    if kind == "array":
        values = [("as text", "x"), ("as an object", {"0": 1})]
        if "maxItems" in s:
            values.append(("too long", [None] * (s["maxItems"] + 1)))
        return values
    if kind == "object" or "properties" in s:
        return [("as text", "x"), ("as a list", [])]
    return []


def _get(body: Any, at: tuple) -> Any:
    for part in at:
        try:
            body = body[part]
        except (KeyError, IndexError, TypeError):
            return None
    return body


def _with(body: Any, at: tuple, value: Any) -> Any:
    body = copy.deepcopy(body)
    _get(body, at[:-1])[at[-1]] = value
    return body


def _without(body: Any, at: tuple) -> Any:
    body = copy.deepcopy(body)
    del _get(body, at[:-1])[at[-1]]
    return body
