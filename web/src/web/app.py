"""`create_app`: the web client's ASGI application. Nothing is built at import time.

The lifespan opens one HTTP connection pool to the gateway, which every page
uses as its signed-in user (`web.page`). The browser assets come from the npm
packages `make run` installs (USWDS, htmx) and from `static/` (the portal's
own few lines of CSS and script).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import aiohttp
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from servicekit.app import RequestIdMiddleware
from servicekit.telemetry import instrument_app
from web import pages
from web.caching import TtlCache
from web.page import PasswordChangeRequired, SignInRequired, safe_next
from web.portal_api import ApiProblem, GatewayUnreachable, open_gateway_client
from web.settings import WebSettings
from web.templating import build_templates

log = structlog.get_logger("web.app")
HERE = Path(__file__).parent


@dataclass
class WebRuntime:
    settings: WebSettings
    http: aiohttp.ClientSession
    templates: Jinja2Templates
    viewer_cache: TtlCache
    reference_cache: TtlCache


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()
    templates = build_templates(HERE / "templates")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_gateway_client(settings.api_timeout_seconds) as http:
            app.state.web = WebRuntime(settings, http, templates, TtlCache(settings.viewer_cache_seconds),
                                       TtlCache(settings.reference_cache_seconds, max_entries=100))
            # As every service does (servicekit.app): what lives as long as the process stays out of
            # the collector's full passes, which trims the pages' tail latency.
            gc.collect()
            gc.freeze()
            yield

    app = FastAPI(title="C-TPAT Portal web client", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None,
                  # OpenTelemetry's instrumentation (servicekit.telemetry) traces the pages; FastAPI's
                  # native telemetry would only add a per-request check.
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    app.add_middleware(RequestIdMiddleware)
    instrument_app(app)  # a page's trace goes on from the gateway to the API calls it makes
    _mount_assets(app, settings)
    for router in pages.routers():
        app.include_router(router)
    _handle_errors(app, templates)
    return app


def _mount_assets(app: FastAPI, settings: WebSettings) -> None:
    uswds = settings.node_modules / "@uswds" / "uswds" / "dist"
    htmx = settings.node_modules / "htmx.org" / "dist"
    for folder in (uswds, htmx):
        if not folder.is_dir():
            raise RuntimeError(f"{folder} is missing: run `make setup` (npm ci in web/)")
    app.mount("/assets/uswds", StaticFiles(directory=uswds), name="uswds")
    app.mount("/assets/htmx", StaticFiles(directory=htmx), name="htmx")
    app.mount("/assets/portal", StaticFiles(directory=HERE / "static"), name="portal")


def _here(request: Request) -> str:
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return safe_next(urlsplit(request.headers.get("referer", "")).path or "/")


def _handle_errors(app: FastAPI, templates: Jinja2Templates) -> None:
    def error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
        return templates.TemplateResponse(
            request, "error.html",
            {"viewer": None, "csrf_token": None, "notice": None, "current_path": request.url.path,
             "status": status, "title": title, "detail": detail},
            status_code=status,
        )

    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Request, exc: SignInRequired) -> Response:
        target = "/sign-in?" + urlencode({"next": exc.next_path, **({"ended": "1"} if exc.ended else {})})
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"hx-redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def change_password_first(request: Request, exc: PasswordChangeRequired) -> Response:
        return RedirectResponse("/account/password/expired", status_code=303)

    @app.exception_handler(ApiProblem)
    async def api_refused(request: Request, exc: ApiProblem) -> Response:
        if exc.status == 401:
            # The session ended between two calls of this page (signed out in another tab).
            return await sign_in_first(request, SignInRequired(_here(request), ended=True))
        # What a handler did not answer itself: the API's own words, with its status.
        if exc.slug == "csrf-rejected":
            return error_page(request, 403, "This form has expired",
                              "The page was open too long, or came from somewhere else. Reload the page and try again.")
        titles = {403: "You do not have access to this", 404: "Not found"}
        return error_page(request, exc.status, titles.get(exc.status, exc.title),
                          exc.detail or "The portal could not do this.")

    async def gateway_unreachable(request: Request, exc: Exception) -> Response:
        log.warning("gateway unreachable", error=repr(exc))
        return error_page(request, 503, "The portal is unavailable",
                          "The portal could not be reached just now. Please try again in a moment.")

    for kind in GatewayUnreachable:
        app.add_exception_handler(kind, gateway_unreachable)

    @app.exception_handler(MultiPartException)
    async def form_too_large(request: Request, exc: MultiPartException) -> Response:
        # A posted file past the limit (web.settings.max_form_part_bytes), refused before it is read whole.
        return error_page(request, 413, "This file is too large",
                          "A file may be at most 25 MiB. Go back and choose a smaller one.")

    @app.exception_handler(RequestValidationError)
    async def bad_address(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
        return error_page(request, 400, "This address is not valid", f"Check: {fields}.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_page(request, 404, "Page not found", "There is no page at this address.")
        return error_page(request, exc.status_code, "This request could not be served", str(exc.detail))
