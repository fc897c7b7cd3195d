from __future__ import annotations

from datetime import timedelta

import pytest

from gateway.browser_session import (
    BrowserSession,
    CookieJar,
    CsrfRejected,
    InMemorySessionStore,
    check_csrf,
    clearing_cookie_headers,
    session_cookie_headers,
)
from servicekit.clock import MovableClock


def _session(csrf: str = "token-1") -> BrowserSession:
    return BrowserSession(
        access_token="a", refresh_token="r", access_expires_at=0, csrf_token=csrf,
        user_id="u", email="e", roles=(), password_expired=False, signed_in_at=0,
    )


def test_cookie_jar_takes_the_gateways_cookies_and_keeps_the_rest_verbatim():
    jar = CookieJar.parse(b'theme=dark; portal_session=abc; lang="en-US"; portal_csrf=xyz')
    assert jar.session_id == "abc"
    assert jar.csrf_token == "xyz"
    assert jar.others == b'theme=dark; lang="en-US"'
    assert CookieJar.parse(b"portal_session=abc").others is None
    assert CookieJar.parse(b"portal_session=").session_id is None


@pytest.mark.parametrize("cookie, header", [
    (None, None), ("token-1", None), (None, "token-1"), ("token-1", "token-2"),
    ("token-2", "token-2"),  # a consistent pair, but not this session's
])
def test_csrf_is_refused_unless_cookie_header_and_session_agree(cookie, header):
    with pytest.raises(CsrfRejected):
        check_csrf(_session(), cookie, header)


def test_csrf_passes_when_all_three_agree():
    check_csrf(_session(), "token-1", "token-1")


def test_cookie_attributes():
    session, csrf = session_cookie_headers("sid", "tok", secure=True)
    assert session == b"portal_session=sid; HttpOnly; Path=/; SameSite=Strict; Secure"
    assert csrf == b"portal_csrf=tok; Path=/; SameSite=Strict; Secure"
    assert b"Secure" not in session_cookie_headers("sid", "tok", secure=False)[0]
    assert all(b"Max-Age=0" in c for c in clearing_cookie_headers(secure=True))


async def test_in_memory_store_forgets_after_the_ttl():
    clock = MovableClock()
    store = InMemorySessionStore(clock, max_sessions=2)
    await store.put("k", _session(), ttl_seconds=60)
    assert await store.get("k") == _session()
    clock.advance(timedelta(seconds=61))
    assert await store.get("k") is None


async def test_in_memory_store_is_bounded():
    store = InMemorySessionStore(MovableClock(), max_sessions=2)
    for key in ("a", "b", "c"):
        await store.put(key, _session(), ttl_seconds=60)
    assert await store.get("a") is None
    assert await store.get("c") is not None
