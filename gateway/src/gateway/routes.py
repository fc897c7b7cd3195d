"""The gateway's own endpoints: browser sign-in, health, and the merged OpenAPI document."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from gateway.browser_session import (
    BrowserSession,
    CookieJar,
    SessionEnded,
    clearing_cookie_headers,
    session_cookie_headers,
)
from gateway.runtime import Gateway
from gateway.upstream_health import upstream_readiness
from servicekit.errors import Forbidden, Unauthenticated
from servicekit.openapi import problem_responses
from servicekit.schema_types import EmailLookup, Strict, text


def _gateway(request: Request) -> Gateway:
    return request.app.state.gateway


def _request_id(request: Request) -> str:
    return request.state.request_id


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _cookies(request: Request) -> CookieJar:
    return CookieJar.parse(request.headers.get("cookie", "").encode("latin-1"))


def _same_origin_or_allowed(request: Request) -> None:
    # Sign-in has no session to carry a CSRF token yet: refuse it from a page of
    # another site (login CSRF), which browsers always mark with Origin.
    origin = request.headers.get("origin")
    if origin is None:
        return
    gateway: Gateway = request.app.state.gateway
    if origin.rstrip("/") in gateway.settings.cors_origin_list:
        return
    if urlsplit(origin).netloc == request.headers.get("host"):
        return
    raise Forbidden(f"Sign-in from {origin} is not allowed.")


GatewayRuntime = Annotated[Gateway, Depends(_gateway)]
RequestId = Annotated[str, Depends(_request_id)]
ClientAddress = Annotated[str | None, Depends(_client)]
Cookies = Annotated[CookieJar, Depends(_cookies)]
AllowedOrigin = Depends(_same_origin_or_allowed)
CsrfToken = Annotated[str | None, Header(alias="x-csrf-token")]


class SignIn(Strict):
    # identity's own limits (`POST /sessions`): the gateway refuses what identity would.
    email: EmailLookup
    password: text(1024, strip=False)


class SignedInUser(BaseModel):
    id: str
    email: str
    roles: list[str]


class SessionView(BaseModel):
    user: SignedInUser
    password_expired: bool
    # Also in the portal_csrf cookie; send it back as X-CSRF-Token on unsafe methods.
    csrf_token: str
    access_expires_at: datetime


class GatewayReadiness(BaseModel):
    status: str
    upstreams: dict[str, str]


def _view(session: BrowserSession) -> dict:
    return SessionView(
        user=SignedInUser(id=session.user_id, email=session.email, roles=list(session.roles)),
        password_expired=session.password_expired,
        csrf_token=session.csrf_token,
        access_expires_at=datetime.fromtimestamp(session.access_expires_at, UTC),
    ).model_dump(mode="json")


def _with_cookies(response: Response, cookies: list[bytes]) -> Response:
    response.raw_headers.extend((b"set-cookie", c) for c in cookies)
    return response


# What identity answers to a sign-in passes through; the gateway adds the origin and CSRF checks.
SIGN_IN_PROBLEMS = problem_responses(401, 403, 422, 423, 429, 503)
SIGN_OUT_PROBLEMS = problem_responses(401, 403, 503)
SESSION_PROBLEMS = problem_responses(401, 503)

router = APIRouter()


@router.post(
    "/auth/login", tags=["browser session"], response_model=SessionView,
    dependencies=[AllowedOrigin], responses=SIGN_IN_PROBLEMS,
)
async def sign_in(
    body: SignIn,
    gateway: GatewayRuntime,
    cookies: Cookies,
    request_id: RequestId,
    client: ClientAddress,
) -> Response:
    """Signs a browser in: the session cookie is set, the tokens stay at the gateway."""
    session_id, session = await gateway.sessions.sign_in(
        body.email, body.password, request_id=request_id, client=client,
        previous_session_id=cookies.session_id,
    )
    return _with_cookies(
        JSONResponse(_view(session)),
        session_cookie_headers(
            session_id, session.csrf_token, secure=gateway.settings.cookie_secure
        ),
    )


@router.post("/auth/logout", tags=["browser session"], status_code=204, responses=SIGN_OUT_PROBLEMS)
async def sign_out(
    gateway: GatewayRuntime,
    cookies: Cookies,
    request_id: RequestId,
    client: ClientAddress,
    csrf: CsrfToken = None,
) -> Response:
    """Ends the browser's session (its refresh token is revoked) and clears the cookies."""
    if cookies.session_id:
        await gateway.sessions.sign_out(
            cookies.session_id, csrf_cookie=cookies.csrf_token, csrf_header=csrf,
            request_id=request_id, client=client,
        )
    return _with_cookies(
        Response(status_code=204), clearing_cookie_headers(secure=gateway.settings.cookie_secure)
    )


@router.get("/auth/session", tags=["browser session"], response_model=SessionView,
            responses=SESSION_PROBLEMS)
async def current_session(
    gateway: GatewayRuntime, cookies: Cookies, request_id: RequestId, client: ClientAddress
) -> Response:
    """Who is signed in on this browser."""
    if not cookies.session_id:
        raise Unauthenticated("No one is signed in on this browser.")
    session = await gateway.sessions.for_request(
        cookies.session_id, method="GET", csrf_cookie=None, csrf_header=None,
        request_id=request_id, client=client,
    )
    if session is None:
        raise SessionEnded("Your session has ended; sign in again.")
    return JSONResponse(_view(session))


@router.get("/health/live", tags=["health"])
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready", tags=["health"], response_model=GatewayReadiness)
async def ready(gateway: GatewayRuntime) -> GatewayReadiness:
    """Ready while the gateway serves; each upstream's own readiness is reported alongside."""
    upstreams = await upstream_readiness(
        gateway.http, gateway.settings.upstreams,
        timeout_seconds=gateway.settings.health_timeout_seconds,
    )
    return GatewayReadiness(status="ok", upstreams=upstreams)


@router.get("/openapi.json", include_in_schema=False)
async def openapi_document(gateway: GatewayRuntime) -> Response:
    return Response(await gateway.openapi.document(), media_type="application/json")
