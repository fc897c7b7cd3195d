"""The identity service's session endpoints, as the gateway's browser sign-in uses them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class IdentityUnavailable(Exception):
    """Identity could not be reached or failed (5xx); the browser should try again later."""


class IdentityRejected(Exception):
    """Identity refused (4xx): its problem document is relayed to the browser as it is."""

    def __init__(self, status: int, body: bytes, content_type: str) -> None:
        super().__init__(f"identity answered {status}")
        self.status = status
        self.body = body
        self.content_type = content_type


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    refresh_token: str
    expires_in: int
    password_expired: bool


class IdentityClient:
    def __init__(self, http: httpx.AsyncClient, base_urls: list[str]) -> None:
        self._http = http
        # Identity's instances: each call goes to the next; one that refuses the
        # connection (nothing was sent) passes the call on to the one after.
        self._bases = [url.rstrip("/") for url in base_urls]
        self._next = 0

    # `client` is the browser's address, passed on as X-Forwarded-For: identity
    # throttles and locks sign-ins per client address (ID-12), and must not see
    # every browser as the gateway.

    async def create_session(
        self, email: str, password: str, *, request_id: str, client: str | None
    ) -> TokenGrant:
        body = await self._post(
            "/sessions", {"email": email, "password": password}, request_id, client,
            expect=(200, 201),
        )
        return _grant(body)

    async def refresh_session(
        self, refresh_token: str, *, request_id: str, client: str | None
    ) -> TokenGrant:
        body = await self._post(
            "/sessions/refresh", {"refresh_token": refresh_token}, request_id, client,
            expect=(200, 201),
        )
        return _grant(body)

    async def revoke_session(
        self, refresh_token: str, *, request_id: str, client: str | None
    ) -> None:
        await self._post(
            "/sessions/revoke", {"refresh_token": refresh_token}, request_id, client,
            expect=(200, 204),
        )

    async def _post(
        self,
        path: str,
        payload: dict[str, Any],
        request_id: str,
        client: str | None,
        *,
        expect: tuple[int, ...],
    ) -> Any:
        if not self._bases:
            raise IdentityUnavailable("no identity upstream is configured")
        headers = {"x-request-id": request_id}
        if client:
            headers["x-forwarded-for"] = client
        first = self._next
        self._next = (first + 1) % len(self._bases)
        for attempt in range(len(self._bases)):
            base = self._bases[(first + attempt) % len(self._bases)]
            try:
                response = await self._http.post(base + path, json=payload, headers=headers)
                break
            except httpx.ConnectError:
                if attempt + 1 < len(self._bases):
                    continue
                raise IdentityUnavailable("identity is unreachable: ConnectError") from None
            except httpx.HTTPError as exc:
                raise IdentityUnavailable(
                    f"identity is unreachable: {exc.__class__.__name__}"
                ) from None
        if response.status_code in expect:
            if response.status_code == 204 or not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                raise IdentityUnavailable("identity answered with a malformed body") from None
        if 400 <= response.status_code < 500:
            raise IdentityRejected(
                response.status_code,
                response.content,
                response.headers.get("content-type", "application/problem+json"),
            )
        raise IdentityUnavailable(f"identity answered {response.status_code}")


def _grant(body: Any) -> TokenGrant:
    try:
        return TokenGrant(
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]),
            expires_in=int(body.get("expires_in", 0)),
            password_expired=bool(body.get("password_expired", False)),
        )
    except (KeyError, TypeError, ValueError):
        raise IdentityUnavailable("identity answered without the expected tokens") from None
