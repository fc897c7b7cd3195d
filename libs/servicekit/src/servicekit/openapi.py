"""The OpenAPI document tells the truth about errors and authentication.

FastAPI documents the success response and a 422 in its own JSON shape; every
error here is an RFC 9457 `application/problem+json` document, and an
operation can answer more than 422. `document_problems(app)` makes the
app's document say, for every operation:

- what it follows from how the route is built: a body can be unreadable (400)
  or invalid (422), any parameter invalid (422); a path names something that
  may not exist (404); a route that needs a bearer token says so (`security`)
  and answers 401 without one, and 403 when it needs a current password too
  (`CurrentPrincipal`, ID-06) or decides who may act;
- what the route declares with `responses=problem_responses(...)`: a conflict
  (409), a lock-out (423), a throttle (429) and the like, which only the
  use case knows;
- what the app's middleware answers for any operation: `ReadAfterMiddleware`
  a 409 while the caller's own writes elsewhere are still on their way here;

each as `application/problem+json` with the shared `Problem` schema.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from servicekit.consistency import ReadAfterMiddleware
from servicekit.deps import current_principal, principal_even_if_password_expired
from servicekit.problems import PROBLEM_CONTENT_TYPE, Problem

BEARER_SCHEME = "bearer"

PROBLEM_DESCRIPTIONS: dict[int, str] = {
    400: "The body could not be read as JSON",
    401: "No valid bearer access token",
    403: "Not allowed: the caller may not do this, or must first set a new password",
    404: "Not found",
    409: "Conflicts with the current state: a value already in use, a concurrent change, or your own change"
         " elsewhere not yet here (Retry-After)",
    413: "The body is too large",
    415: "The file is of a kind that is not accepted (read from its bytes)",
    422: "A field is invalid; `errors` names each one",
    423: "Temporarily locked after repeated failures",
    429: "Too many attempts or requests; see Retry-After",
    502: "The service behind the gateway cannot be reached",
    503: "Unavailable just now; see Retry-After",
    504: "The service behind the gateway did not answer in time",
}

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a route: the problems its use case can answer beyond what `document_problems` infers."""
    return {status: {"description": PROBLEM_DESCRIPTIONS[status]} for status in statuses}


def operation_id(route: APIRoute) -> str:
    """An operation is named by its endpoint function (`get_trade_account`), as clients and links call it."""
    return route.name


def links_to(*operation_ids: str, **parameters: str) -> dict[str, Any]:
    """A response's `links`: the operations (by `operation_id`) it leads to, each parameter a runtime
    expression (`$response.body#/id`, `$request.path.account_id`)."""
    return {"links": {name: {"operationId": name, "parameters": parameters} for name in operation_ids}}


def problem_content() -> dict[str, Any]:
    return {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def document_problems(app: FastAPI) -> None:
    """Wraps `app.openapi` so the generated document lists every operation's problems (see module doc)."""
    generate = app.openapi
    documented = False

    def openapi() -> dict[str, Any]:
        nonlocal documented
        document = generate()
        if not documented:
            add_problems(document, api_routes(app), everywhere=_middleware_statuses(app))
            documented = True
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def api_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    """Every documented route with the path it answers at (prefixes of included routers applied)."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema and context.path_format:
            found.append((context.path_format, route))
    return found


def _middleware_statuses(app: FastAPI) -> set[int]:
    statuses = set()
    for middleware in app.user_middleware:
        if middleware.cls is ReadAfterMiddleware:
            statuses.add(409)
    return statuses


def add_problems(
    document: dict[str, Any], routes: list[tuple[str, APIRoute]], *, everywhere: set[int] = frozenset()
) -> None:
    """Adds the inferred problem responses, the Problem schema and bearer security to `document`, in place;
    `everywhere`: statuses any operation can answer (from middleware)."""
    paths = document.get("paths", {})
    uses_bearer = False
    for path, route in routes:
        item = paths.get(path, {})
        calls = _dependency_calls(route.dependant)
        for method in route.methods or ():
            operation = item.get(method.lower())
            if operation is None:
                continue
            statuses = set(_inferred_statuses(route, method, calls)) | set(everywhere)
            if principal_even_if_password_expired in calls:
                operation["security"] = [{BEARER_SCHEME: []}]
                uses_bearer = True
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                responses.setdefault(str(status), {"description": PROBLEM_DESCRIPTIONS[status]})
            as_problems(responses)
            operation["responses"] = dict(sorted(responses.items()))
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(_problem_schemas())
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    if uses_bearer:
        components.setdefault("securitySchemes", {})[BEARER_SCHEME] = {
            "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "An access token from identity's `POST /sessions`.",
        }


def as_problems(responses: dict[str, Any]) -> None:
    """Every 4xx and 5xx response of an operation is a problem document."""
    for status, response in responses.items():
        if not (status.isdigit() and int(status) >= 400):
            continue
        response["content"] = problem_content()
        if response.get("description") in (None, "", "Validation Error", "Additional Response"):
            response["description"] = PROBLEM_DESCRIPTIONS.get(int(status), "Problem")


def _inferred_statuses(route: APIRoute, method: str, calls: set[Any]) -> list[int]:
    dependant = route.dependant
    statuses = []
    if route.body_field is not None:
        statuses += [400, 422]
    if _has_parameters(dependant):
        statuses.append(422)
    if _path_parameters(dependant):
        statuses.append(404)
    if principal_even_if_password_expired in calls:
        statuses.append(401)
    if current_principal in calls:
        statuses.append(403)
    return statuses


def _dependency_calls(dependant: Dependant) -> set[Any]:
    calls = set()
    for dependency in dependant.dependencies:
        calls.add(dependency.call)
        calls |= _dependency_calls(dependency)
    return calls


def _all(dependant: Dependant) -> list[Dependant]:
    found = [dependant]
    for dependency in dependant.dependencies:
        found += _all(dependency)
    return found


def _path_parameters(dependant: Dependant) -> list[Any]:
    return [p for d in _all(dependant) for p in d.path_params]


def _has_parameters(dependant: Dependant) -> bool:
    return any(d.path_params or d.query_params or d.header_params or d.cookie_params for d in _all(dependant))


def _problem_schemas() -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = schema.pop("$defs", {})
    return {"Problem": schema, **definitions}
