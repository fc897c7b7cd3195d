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

from dataclasses import dataclass, field
from typing import Any

import httpx

# What the gateway says that the browser must hear: a new session, a cleared one.
_RELAYED_RESPONSE_HEADERS = ("set-cookie",)
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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
    def from_response(cls, response: httpx.Response) -> ApiProblem:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        errors: dict[str, str] = {}
        for item in body.get("errors") or []:
            if isinstance(item, dict) and item.get("field"):
                errors.setdefault(str(item["field"]), str(item.get("message", "is not valid")))
        return cls(
            status=response.status_code,
            title=str(body.get("title") or response.reason_phrase or "Error"),
            detail=str(body.get("detail") or ""),
            slug=str(body.get("type") or "").rsplit("/", 1)[-1],
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


class PortalApi:
    """One browser request's calls to the gateway, as that browser's user."""

    def __init__(self, http: httpx.AsyncClient, forwarded: Forwarded) -> None:
        self._http = http
        self._forwarded = forwarded
        # Set-Cookie headers from the gateway (sign-in, sign-out, an ended session),
        # passed on to the browser with the page.
        self.relayed_headers: list[tuple[str, str]] = []

    async def get(self, path: str, **params: Any) -> Any:
        return await self.call("GET", path, params={k: v for k, v in params.items() if v is not None})

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
        files: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """The answer's JSON (None for an empty one); an ApiProblem for 400 and above."""
        response = await self._http.request(
            method, path, params=params, json=json, data=data, files=files,
            headers=self._headers(method, path, headers),
        )
        for name in _RELAYED_RESPONSE_HEADERS:
            self.relayed_headers.extend((name, v) for v in response.headers.get_list(name))
        if response.status_code >= 400:
            raise ApiProblem.from_response(response)
        if not response.content:
            return None
        return response.json()

    def _headers(self, method: str, path: str, extra: dict[str, str] | None) -> dict[str, str]:
        sent = self._forwarded
        headers: dict[str, str] = {}
        if sent.cookie:
            headers["cookie"] = sent.cookie
        if method in _UNSAFE and sent.csrf_token:
            headers["x-csrf-token"] = sent.csrf_token
        if sent.request_id:
            headers["x-request-id"] = sent.request_id
        if path.startswith("/auth/"):
            # The gateway's sign-in judges the browser's origin against the host it used.
            if sent.origin:
                headers["origin"] = sent.origin
            if sent.host:
                headers["host"] = sent.host
        if extra:
            headers.update(extra)
        return headers
