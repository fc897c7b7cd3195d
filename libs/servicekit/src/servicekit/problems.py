"""The HTTP edge of errors: every failure becomes `application/problem+json` (RFC 9457)."""

from __future__ import annotations

import functools
import re
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from servicekit.errors import FieldError, PortalError, TooManyRequests
from servicekit.unique import conflict_for

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://portal.ctpat.local/problems/"

log = structlog.get_logger("servicekit.problems")


class FieldProblem(BaseModel):
    field: str = Field(description="The field, dotted for nested ones: `company_information.company_name`")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document: every error answer of the portal."""

    type: str = Field(description="A URI naming the kind of problem")
    title: str
    status: int
    detail: str
    instance: str | None = Field(default=None, description="The path that answered")
    errors: list[FieldProblem] | None = Field(default=None, description="Each invalid field, when there are any")


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_CONTENT_TYPE, headers=headers)


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    # ("body", "password") -> "password"; ("query", "limit") -> "limit"; ("body",) -> "body"
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts)


def _validation_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors():
        message = err.get("msg", "invalid")
        if err.get("type") == "json_invalid":
            message = "the body is not valid JSON"
        errors.append(FieldError(_field_name(err.get("loc", ("body",))), message))
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(PortalError)
    async def portal_error(request: Request, exc: PortalError) -> JSONResponse:
        headers = None
        if isinstance(exc, TooManyRequests):
            headers = {"Retry-After": str(exc.retry_after_seconds)}
        return problem_response(
            exc.status, exc.slug, exc.title, exc.detail,
            instance=request.url.path, errors=exc.errors, headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or "invalid request"
        return problem_response(
            422, "validation-failed", "The request has invalid fields", detail,
            instance=request.url.path, errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 401: "Sign-in required"}
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": allowed_methods(request)}
        return problem_response(
            exc.status_code, f"http-{exc.status_code}", titles.get(exc.status_code, "HTTP error"),
            str(exc.detail), instance=request.url.path, headers=headers,
        )

    @app.exception_handler(IntegrityError)
    async def integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        conflict = conflict_for(exc)  # a lost race for a unique value is the client's 409
        if conflict is not None:
            return await portal_error(request, conflict)
        return await unexpected(request, exc)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A 500 is our bug, never the client's input: log it whole, tell little.
        log.exception("unhandled error", path=request.url.path)
        return problem_response(
            500, "internal", "Internal error", "The server failed; the change was not made.",
            instance=request.url.path,
        )


def allowed_methods(request: Request) -> str:
    """Every method some route of this path answers; Starlette's own 405 names only the first route's."""
    path = request.scope.get("path", "")
    methods: set[str] = set()
    for context in iter_route_contexts(request.app.router.routes):
        if context.path_format and context.methods and _path_regex(context.path).match(path):
            methods |= context.methods
    return ", ".join(sorted(methods))


@functools.cache
def _path_regex(path: str) -> re.Pattern[str]:
    return compile_path(path)[0]
