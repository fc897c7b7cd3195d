"""Browser single sign-on: the session lives at the gateway, the browser holds only a cookie.

Sign-in exchanges email and password with identity for an access and a
refresh token, which stay in the gateway's session store; the browser gets
`portal_session` (an opaque id; HttpOnly, Secure, SameSite=Strict) and
`portal_csrf` (readable by the page). A request that carries the cookie and no
Authorization header is sent on with the session's access token, refreshed
through identity first when it is within `refresh_margin_seconds` of expiry.

CSRF: every unsafe method made with the cookie must echo `portal_csrf` in the
`X-CSRF-Token` header (double submit), and the value must also be the one
issued to that session, so a cookie planted by a sibling site is useless.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

import structlog

from gateway.caller import CallerVerifier
from gateway.identity_client import (
    IdentityClient,
    IdentityRejected,
    IdentityUnavailable,
    TokenGrant,
)
from servicekit.clock import Clock
from servicekit.errors import Forbidden, Unauthenticated

log = structlog.get_logger("gateway.browser_session")

SESSION_COOKIE = "portal_session"
CSRF_COOKIE = "portal_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRejected(Forbidden):
    slug = "csrf-rejected"
    title = "CSRF check failed"


class SessionEnded(Unauthenticated):
    slug = "session-ended"
    title = "Session ended"


@dataclass(frozen=True)
class BrowserSession:
    access_token: str
    refresh_token: str
    access_expires_at: float
    csrf_token: str
    user_id: str
    email: str
    roles: tuple[str, ...]
    password_expired: bool
    signed_in_at: float


class SessionStore(Protocol):
    """Where browser sessions live, keyed by a hash of the cookie's id, each for a TTL.

    The in-memory store serves one gateway process; `PostgresSessionStore`
    (chosen when GATEWAY_DATABASE_URL is set) lets several share the sessions.
    `exclusive` makes a token refresh one-at-a-time per session across every
    process that shares the store, because identity's refresh tokens work once.
    """

    async def get(self, key: str) -> BrowserSession | None: ...

    async def put(self, key: str, session: BrowserSession, ttl_seconds: float) -> None: ...

    async def delete(self, key: str) -> None: ...

    def exclusive(self, key: str) -> AbstractAsyncContextManager[None]:
        """Held while a session's tokens are refreshed: one refresh at a time per session,
        across every gateway process that shares the store."""
        ...

    async def aclose(self) -> None: ...


class InMemorySessionStore:
    """This process's memory: a restart signs every browser out."""

    def __init__(self, clock: Clock, *, max_sessions: int = 100_000) -> None:
        self._clock = clock
        self._max = max_sessions
        self._entries: dict[str, tuple[float, BrowserSession]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(self, key: str) -> BrowserSession | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock.now().timestamp():
            del self._entries[key]
            return None
        return entry[1]

    async def put(self, key: str, session: BrowserSession, ttl_seconds: float) -> None:
        now = self._clock.now().timestamp()
        if key not in self._entries and len(self._entries) >= self._max:
            for stale in [k for k, (until, _) in self._entries.items() if until <= now]:
                del self._entries[stale]
            while len(self._entries) >= self._max:
                del self._entries[next(iter(self._entries))]
        self._entries[key] = (now + ttl_seconds, session)

    async def delete(self, key: str) -> None:
        self._entries.pop(key, None)

    @asynccontextmanager
    async def exclusive(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                yield
        finally:
            if not lock.locked():
                self._locks.pop(key, None)

    async def aclose(self) -> None:
        self._entries.clear()


def _store_key(session_id: str) -> str:
    # The store never sees the cookie's value, so a leaked store grants nothing.
    return hashlib.sha256(session_id.encode()).hexdigest()


class BrowserSessions:
    def __init__(
        self,
        store: SessionStore,
        identity: IdentityClient,
        callers: CallerVerifier,
        clock: Clock,
        *,
        ttl_seconds: float,
        refresh_margin_seconds: float = 30,
    ) -> None:
        self._store = store
        self._identity = identity
        self._callers = callers
        self._clock = clock
        self._ttl = ttl_seconds
        self._margin = refresh_margin_seconds

    async def sign_in(
        self,
        email: str,
        password: str,
        *,
        request_id: str,
        client: str | None,
        previous_session_id: str | None,
    ) -> tuple[str, BrowserSession]:
        """A new session (new id, new CSRF token) from identity's tokens; the previous one ends."""
        grant = await self._identity.create_session(
            email, password, request_id=request_id, client=client
        )
        session = await self._session_from(
            grant, csrf_token=secrets.token_urlsafe(32), signed_in_at=self._now()
        )
        session_id = secrets.token_urlsafe(32)
        await self._store.put(_store_key(session_id), session, self._ttl)
        if previous_session_id:
            await self._end(previous_session_id, request_id=request_id, client=client)
        log.info("browser signed in", user_id=session.user_id)
        return session_id, session

    async def for_request(
        self,
        session_id: str,
        *,
        method: str,
        csrf_cookie: str | None,
        csrf_header: str | None,
        request_id: str,
        client: str | None,
    ) -> BrowserSession | None:
        """The live session behind a cookie, its access token fresh; None if the cookie is stale.

        Raises `CsrfRejected` for an unsafe method without the right token, and
        `SessionEnded` when identity no longer honours the refresh token.
        """
        key = _store_key(session_id)
        session = await self._store.get(key)
        if session is None:
            return None
        if method not in SAFE_METHODS:
            check_csrf(session, csrf_cookie, csrf_header)
        return await self._fresh(key, session, request_id, client)

    async def sign_out(
        self,
        session_id: str,
        *,
        csrf_cookie: str | None,
        csrf_header: str | None,
        request_id: str,
        client: str | None,
    ) -> None:
        session = await self._store.get(_store_key(session_id))
        if session is None:
            return
        check_csrf(session, csrf_cookie, csrf_header)
        await self._end(session_id, request_id=request_id, client=client)
        log.info("browser signed out", user_id=session.user_id)

    async def _end(self, session_id: str, *, request_id: str, client: str | None) -> None:
        key = _store_key(session_id)
        session = await self._store.get(key)
        if session is None:
            return
        # Unusable here first, so signing out works even while identity is down.
        await self._store.delete(key)
        try:
            await self._identity.revoke_session(
                session.refresh_token, request_id=request_id, client=client
            )
        except (IdentityUnavailable, IdentityRejected) as exc:
            log.warning("refresh token not revoked", user_id=session.user_id, error=str(exc))

    async def _fresh(
        self, key: str, session: BrowserSession, request_id: str, client: str | None
    ) -> BrowserSession:
        if session.access_expires_at - self._now() > self._margin:
            return session
        async with self._store.exclusive(key):
            # Another request may have refreshed while this one waited: refresh
            # tokens work once, so never spend one twice.
            current = await self._store.get(key)
            if current is None:
                raise SessionEnded("Your session has ended; sign in again.")
            if current.access_expires_at - self._now() > self._margin:
                return current
            try:
                grant = await self._identity.refresh_session(
                    current.refresh_token, request_id=request_id, client=client
                )
            except IdentityRejected:
                await self._store.delete(key)
                raise SessionEnded("Your session has ended; sign in again.") from None
            refreshed = await self._session_from(
                grant, csrf_token=current.csrf_token, signed_in_at=current.signed_in_at
            )
            await self._store.put(key, refreshed, self._ttl)
            return refreshed

    async def _session_from(
        self, grant: TokenGrant, *, csrf_token: str, signed_in_at: float
    ) -> BrowserSession:
        try:
            claims = await self._callers.claims(grant.access_token)
        except Unauthenticated as exc:
            raise IdentityUnavailable(
                f"identity issued an access token the gateway cannot verify: {exc.detail}"
            ) from None
        return BrowserSession(
            access_token=grant.access_token,
            refresh_token=grant.refresh_token,
            access_expires_at=float(claims["exp"]),
            csrf_token=csrf_token,
            user_id=str(claims["sub"]),
            email=str(claims.get("email", "")),
            roles=tuple(sorted(claims.get("roles", []))),
            password_expired=bool(claims.get("pwd_expired", grant.password_expired)),
            signed_in_at=signed_in_at,
        )

    def _now(self) -> float:
        return self._clock.now().timestamp()


def check_csrf(session: BrowserSession, cookie: str | None, header: str | None) -> None:
    if not header or not cookie:
        raise CsrfRejected(
            "Send the portal_csrf cookie's value in the X-CSRF-Token header with this request."
        )
    given = header.encode()
    # Both comparisons always run: no early exit that timing could reveal.
    matches_cookie = hmac.compare_digest(given, cookie.encode())
    matches_session = hmac.compare_digest(given, session.csrf_token.encode())
    if not (matches_cookie and matches_session):
        raise CsrfRejected("The X-CSRF-Token header does not match this session's CSRF token.")


# --- cookies -------------------------------------------------------------------


def session_cookie_headers(session_id: str, csrf_token: str, *, secure: bool) -> list[bytes]:
    """Set-Cookie values for a new session. No Max-Age: the cookies end with the browser."""
    flags = "; Path=/; SameSite=Strict" + ("; Secure" if secure else "")
    return [
        f"{SESSION_COOKIE}={session_id}; HttpOnly{flags}".encode(),
        f"{CSRF_COOKIE}={csrf_token}{flags}".encode(),
    ]


def clearing_cookie_headers(*, secure: bool) -> list[bytes]:
    flags = (
        "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; SameSite=Strict"
        + ("; Secure" if secure else "")
    )
    return [
        f"{SESSION_COOKIE}={flags}; HttpOnly".encode(),
        f"{CSRF_COOKIE}={flags}".encode(),
    ]


@dataclass(frozen=True, slots=True)
class CookieJar:
    """A request's Cookie header split into the gateway's two cookies and the rest."""

    session_id: str | None
    csrf_token: str | None
    # The other cookies, byte for byte, for the upstream; None if there are none.
    others: bytes | None

    @classmethod
    def parse(cls, header: bytes) -> CookieJar:
        session_id = csrf_token = None
        others = []
        for part in header.split(b";"):
            part = part.strip()
            if not part:
                continue
            name, _, value = part.partition(b"=")
            name = name.strip()
            if name == b"portal_session":
                session_id = value.strip().strip(b'"').decode("latin-1") or None
            elif name == b"portal_csrf":
                csrf_token = value.strip().strip(b'"').decode("latin-1") or None
            else:
                others.append(part)
        return cls(session_id, csrf_token, b"; ".join(others) or None)
