"""What every page handler starts from: who is signed in, the API as them, and how to answer.

`AnyPage` serves pages open to everyone (sign-in, registration, the reset
link); `SignedInPage` first asks the gateway whose session the browser holds
and sends anyone without one to the sign-in page, remembering where they were
going. Handlers answer with `page.render(...)` or `page.redirect(...)`, which
also pass on any cookie the gateway set (a new session, a cleared one) and
the one-time notice shown after a change ("Saved.").
"""

from __future__ import annotations

import asyncio
import inspect
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote, unquote, urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from web.caching import CHANGED_COOKIE, TtlCache, cache_key
from web.forms import FormState
from web.portal_api import ApiProblem, Forwarded, PortalApi

NOTICE_COOKIE = "web_notice"
CSRF_COOKIE = "portal_csrf"
STAFF_ROLES = ("scss", "management", "admin")


class SignInRequired(Exception):
    """No session, or it ended: the browser goes to the sign-in page, then back to `next_path`."""

    def __init__(self, next_path: str, *, ended: bool = False) -> None:
        self.next_path = next_path
        self.ended = ended


class PasswordChangeRequired(Exception):
    """The session's password has expired: nothing but changing it is allowed."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in user, as the gateway's session and trade-accounts' navigation describe them."""

    user_id: str
    email: str
    roles: tuple[str, ...]
    password_expired: bool
    # [{"top": {...}, "accounts": [...]}]: the Trade Organizations and their Trade Accounts.
    organizations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_staff(self) -> bool:
        return any(role in STAFF_ROLES for role in self.roles)

    def has(self, role: str) -> bool:
        return role in self.roles


@dataclass
class Page:
    request: Request
    api: PortalApi
    templates: Jinja2Templates
    viewer: Viewer | None
    csrf_token: str | None
    form: FormData | None

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        notice = self.request.cookies.get(NOTICE_COOKIE)
        response = self.templates.TemplateResponse(
            self.request,
            template,
            {
                "viewer": self.viewer,
                "csrf_token": self.csrf_token,
                "notice": unquote(notice)[:300] if notice else None,
                "current_path": self.request.url.path,
                **context,
            },
            status_code=status,
        )
        if notice:
            response.delete_cookie(NOTICE_COOKIE, path="/")
        return self._relay(response)

    def redirect(self, url: str, *, notice: str | None = None) -> Response:
        """After a change: to the page that shows it (303, so a reload does not post again)."""
        if self.request.headers.get("hx-request"):
            response: Response = Response(status_code=204, headers={"hx-redirect": url})
        else:
            response = RedirectResponse(url, status_code=303)
        if notice:
            response.set_cookie(NOTICE_COOKIE, quote(notice), path="/", httponly=True, samesite="strict",
                                max_age=60)
        if self.request.method != "GET":
            # A change was made: the next page asks again who this is and what they may reach.
            response.set_cookie(CHANGED_COOKIE, secrets.token_urlsafe(8), path="/", httponly=True,
                                samesite="strict")
        return self._relay(response)

    async def submit(
        self,
        change: Awaitable[Any],
        *,
        then: str,
        notice: str,
        again: Callable[[ApiProblem], Response | Awaitable[Response]],
        shown: tuple[int, ...] = (409, 422),
    ) -> Response:
        """A form post the house way: make the change, then to `then` with `notice`; refused with a status
        in `shown`, the form again (`again(problem)`) with the API's field errors beside their fields.
        Any other refusal (403, 404, 503) is the error page's."""
        try:
            await change
        except ApiProblem as problem:
            if problem.status not in shown:
                raise
            answer = again(problem)
            return await answer if inspect.isawaitable(answer) else answer
        return self.redirect(then, notice=notice)

    def form_state(self, problem: ApiProblem | None = None, **values: Any) -> FormState:
        """What the form shows again: the posted values (or `values`) and the API's field errors."""
        posted = {k: v for k, v in (self.form or {}).items() if isinstance(v, str) and k != "csrf_token"}
        return FormState(values={**posted, **values}, problem=problem)

    async def reference(self, path: str, **params: Any) -> Any:
        """A GET of reference data that is the same for every user (the C-TPAT catalogue, the document
        types), reused for minutes by this process (web.caching)."""
        cache: TtlCache = _runtime(self.request).reference_cache
        key = path + "?" + "&".join(f"{k}={v}" for k, v in sorted(params.items()) if v is not None)
        found = cache.get(key)
        if found is None:
            found = await self.api.get(path, **params)
            cache.put(key, found)
        return found

    def field(self, name: str, default: str = "") -> str:
        value = self.form.get(name) if self.form is not None else None
        return value if isinstance(value, str) else default

    def _relay(self, response: Response) -> Response:
        for name, value in self.api.relayed_headers:
            response.headers.append(name, value)
        return response


def _runtime(request: Request):
    return request.app.state.web


def _forwarded(request: Request, csrf_token: str | None) -> Forwarded:
    return Forwarded(
        cookie=request.headers.get("cookie"),
        csrf_token=csrf_token,
        request_id=getattr(request.state, "request_id", None),
        origin=request.headers.get("origin"),
        host=request.headers.get("x-forwarded-host") or request.headers.get("host"),
        client_address=(request.headers.get("x-forwarded-for") or "").split(",")[0].strip() or None,
    )


async def _posted_form(request: Request) -> FormData | None:
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        runtime = _runtime(request)
        return await request.form(max_files=runtime.settings.max_form_files,
                                  max_part_size=runtime.settings.max_form_part_bytes)
    return None


async def any_page(request: Request) -> Page:
    runtime = _runtime(request)
    form = await _posted_form(request)
    # The token an unsafe call carries: htmx sends it as a header, a plain form as a field.
    posted = request.headers.get("x-csrf-token") or (form.get("csrf_token") if form is not None else None)
    csrf = posted if isinstance(posted, str) else None
    api = PortalApi(runtime.http, runtime.settings.gateway_url, _forwarded(request, csrf))
    return Page(request, api, runtime.templates, None, request.cookies.get(CSRF_COOKIE), form)


async def signed_in_page(page: Annotated[Page, Depends(any_page)]) -> Page:
    """The page, once the gateway has said whose session this is (and their navigation)."""
    request = page.request
    next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        # A form posted after the session ended: back to the page that showed it, where
        # portal.js puts back what was typed.
        referer = urlsplit(request.headers.get("referer", ""))
        next_path = safe_next(referer.path + (f"?{referer.query}" if referer.query else ""))
    if "portal_session" not in request.cookies:
        raise SignInRequired(next_path)
    cache: TtlCache = _runtime(request).viewer_cache
    key = cache_key(request.cookies["portal_session"], request.cookies.get(CHANGED_COOKIE))
    known = cache.get(key)
    if known is not None:
        session, organizations = known
    else:
        session, organizations = await asyncio.gather(
            page.api.get("/auth/session"),
            page.api.get("/api/trade-accounts/navigation"),
            return_exceptions=True,
        )
        if isinstance(session, ApiProblem):
            if session.status == 401:
                raise SignInRequired(next_path, ended=True)
            raise session
        if isinstance(session, BaseException):
            raise session
        if isinstance(organizations, BaseException):
            organizations = []  # the navigation is a convenience: the page still serves without it
        else:
            cache.put(key, (session, organizations))
    page.viewer = Viewer(
        user_id=session["user"]["id"],
        email=session["user"]["email"],
        roles=tuple(session["user"]["roles"]),
        password_expired=bool(session["password_expired"]),
        organizations=organizations,
    )
    page.csrf_token = session["csrf_token"]
    if page.viewer.password_expired and request.url.path != "/account/password/expired":
        raise PasswordChangeRequired()
    return page


def safe_next(value: str | None) -> str:
    """Only a path of this site: never another site's address smuggled into ?next=."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


AnyPage = Annotated[Page, Depends(any_page)]
SignedInPage = Annotated[Page, Depends(signed_in_page)]
