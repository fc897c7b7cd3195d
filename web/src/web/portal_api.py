"""The gateway's public API, called as the browser's signed-in user.

The web client has no identity of its own. Each page calls the gateway with
the cookies the browser sent (its gateway session), so the gateway swaps the
session for the user's access token exactly as it does for the browser's own
API calls: a page can do nothing the user could not do with the API. An
unsafe call carries the CSRF token the page posted back (a hidden field, or
htmx's header); the gateway checks it against the session, so a form posted
from another site changes nothing.
"""

from __future__ import annotations

import json as jsonlib
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from opentelemetry import propagate

# What the gateway says that the browser must hear: a new session, a cleared one.
_RELAYED_RESPONSE_HEADERS = ("set-cookie",)
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Why a gateway that cannot be reached, or answers too slowly, gets the "try again" page.
GatewayUnreachable = (aiohttp.ClientError, TimeoutError)


def open_gateway_client(timeout_seconds: float) -> aiohttp.ClientSession:
    """The process's one connection pool to the gateway.

    It keeps no cookies: each call carries only its own browser's (a shared jar would
    hand one user's session to the next caller). aiohttp rather than httpx: a page makes
    several calls, and httpx's per-call cost was 40% of the web client's CPU at load
    (bench/web.py measures the pages).
    """
    return aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=timeout_seconds),
        connector=aiohttp.TCPConnector(limit=100, keepalive_timeout=4.0),
        auto_decompress=True,
    )


@dataclass
class ApiProblem(Exception):
    """An answer of 400 or more, read from its problem document (RFC 9457)."""

    status: int
    title: str
    detail: str
    slug: str = ""
    # field (dotted, as the API names it) -> why it was refused
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_body(cls, status: int, reason: str | None, body: bytes) -> ApiProblem:
        try:
            document = jsonlib.loads(body) if body else {}
        except ValueError:
            document = {}
        if not isinstance(document, dict):
            document = {}
        errors: dict[str, str] = {}
        for item in document.get("errors") or []:
            if isinstance(item, dict) and item.get("field"):
                errors.setdefault(str(item["field"]), str(item.get("message", "is not valid")))
        return cls(
            status=status,
            title=str(document.get("title") or reason or "Error"),
            detail=str(document.get("detail") or ""),
            slug=str(document.get("type") or "").rsplit("/", 1)[-1],
            errors=errors,
        )

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"


@dataclass
class Forwarded:
    """What of the browser's request goes on to the gateway."""

    cookie: str | None = None
    csrf_token: str | None = None
    request_id: str | None = None
    # The browser's Origin and the host it asked for: the gateway's sign-in refuses
    # another site's origin, and judges "same site" by the host the browser used.
    origin: str | None = None
    host: str | None = None
    # The browser's address, as the gateway told it to this process: passed back so the gateway's
    # per-address rate limit counts the browser, not the web client. The gateway believes it only
    # from addresses it trusts (GATEWAY_FORWARDED_ALLOW_IPS naming the web client's); otherwise it
    # drops the header, as it does any client's.
    client_address: str | None = None


class PortalApi:
    """One browser request's calls to the gateway, as that browser's user."""

    def __init__(self, http: aiohttp.ClientSession, gateway_url: str, forwarded: Forwarded) -> None:
        self._http = http
        self._base = gateway_url.rstrip("/")
        self._forwarded = forwarded
        # Set-Cookie headers from the gateway (sign-in, sign-out, an ended session),
        # passed on to the browser with the page.
        self.relayed_headers: list[tuple[str, str]] = []

    async def get(self, path: str, **params: Any) -> Any:
        return await self.call("GET", path, params=params)

    async def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return await self.call("POST", path, json=json, **kwargs)

    async def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return await self.call("PUT", path, json=json, **kwargs)

    async def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return await self.call("PATCH", path, json=json, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Any:
        return await self.call("DELETE", path, **kwargs)

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        data: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """The answer's JSON (None for an empty one); an ApiProblem for 400 and above.

        `data` and `files` ({name: (filename, bytes, content type)}) make a multipart body."""
        body: Any = None
        if files is not None or data is not None:
            body = aiohttp.FormData()
            for name, value in (data or {}).items():
                if value is not None:
                    body.add_field(name, str(value))
            for name, (filename, content, content_type) in (files or {}).items():
                body.add_field(name, content, filename=filename, content_type=content_type)
        async with self._http.request(
            method, self._base + path, params=_query(params), json=json if body is None else None, data=body,
            headers=self._headers(method, path, headers),
        ) as response:
            content = await response.read()
            for name in _RELAYED_RESPONSE_HEADERS:
                self.relayed_headers.extend((name, v) for v in response.headers.getall(name, []))
            if response.status >= 400:
                raise ApiProblem.from_body(response.status, response.reason, content)
        return jsonlib.loads(content) if content else None

    def _headers(self, method: str, path: str, extra: dict[str, str] | None) -> dict[str, str]:
        sent = self._forwarded
        headers: dict[str, str] = {}
        if sent.cookie:
            headers["cookie"] = sent.cookie
        if method in _UNSAFE and sent.csrf_token:
            headers["x-csrf-token"] = sent.csrf_token
        if sent.request_id:
            headers["x-request-id"] = sent.request_id
        if sent.client_address:
            headers["x-forwarded-for"] = sent.client_address
        propagate.inject(headers)  # the page's trace goes on through the gateway (a no-op when untraced)
        if path.startswith("/auth/"):
            # The gateway's sign-in judges the browser's origin against the host it used.
            if sent.origin:
                headers["origin"] = sent.origin
            if sent.host:
                headers["host"] = sent.host
        if extra:
            headers.update(extra)
        return headers


def _query(params: dict[str, Any] | list[tuple[str, Any]] | None) -> list[tuple[str, str]] | None:
    """Query parameters as aiohttp takes them: strings, None left out, booleans as JSON spells them."""
    if not params:
        return None
    pairs = params.items() if isinstance(params, dict) else params
    out = []
    for name, value in pairs:
        if value is None:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            out.append((name, ("true" if item else "false") if isinstance(item, bool) else str(item)))
    return out
