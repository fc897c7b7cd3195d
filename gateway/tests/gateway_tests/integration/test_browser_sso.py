"""Browser single sign-on: the session cookie, CSRF double submit, refresh, sign-out.

httpx will not send a Secure cookie over plain http, and the gateway keeps
Secure on (GATEWAY_COOKIE_SECURE=true), so these tests carry the cookies in
an explicit Cookie header, as a browser on https would.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest

from gateway_tests.fakes import PASSWORD


def _set_cookies(response: httpx.Response) -> dict[str, str]:
    """name -> the whole Set-Cookie line."""
    return {line.split("=", 1)[0]: line for line in response.headers.get_list("set-cookie")}


def _value(set_cookie_line: str) -> str:
    return set_cookie_line.split(";", 1)[0].split("=", 1)[1]


class Browser:
    """What a browser would send back: the two cookies, and the CSRF header on demand."""

    def __init__(self, client: httpx.AsyncClient, session: str, csrf: str) -> None:
        self.client = client
        self.session = session
        self.csrf = csrf

    def headers(self, *, csrf: str | None = None, extra_cookie: str = "", **more: str) -> dict:
        cookie = f"portal_session={self.session}; portal_csrf={self.csrf}"
        headers = {"cookie": cookie + (f"; {extra_cookie}" if extra_cookie else "")}
        if csrf is not None:
            headers["x-csrf-token"] = csrf
        headers.update(more)
        return headers


async def sign_in(
    client: httpx.AsyncClient, email: str, **headers: str
) -> tuple[Browser, httpx.Response]:
    response = await client.post(
        "/auth/login", json={"email": email, "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 200, response.text
    cookies = _set_cookies(response)
    browser = Browser(client, _value(cookies["portal_session"]), _value(cookies["portal_csrf"]))
    return browser, response


async def test_sign_in_sets_a_secure_httponly_session_cookie(gateway, identity_service):
    _, response = await sign_in(gateway, identity_service.email)
    cookies = _set_cookies(response)
    session_flags = [f.strip().lower() for f in cookies["portal_session"].split(";")[1:]]
    assert {"httponly", "secure", "samesite=strict", "path=/"} <= set(session_flags)
    csrf_flags = [f.strip().lower() for f in cookies["portal_csrf"].split(";")[1:]]
    assert {"secure", "samesite=strict", "path=/"} <= set(csrf_flags)
    assert "httponly" not in csrf_flags  # the page must read it to echo it
    body = response.json()
    assert body["user"] == {"id": str(identity_service.user_id), "email": identity_service.email,
                            "roles": ["scss"]}
    assert body["csrf_token"] == _value(cookies["portal_csrf"])
    assert "access_token" not in response.text and "refresh_token" not in response.text


@pytest.mark.req("ID-10")
async def test_cookie_requests_carry_the_session_access_token(gateway, identity_service,
                                                              echo_service):
    browser, _ = await sign_in(gateway, identity_service.email)
    rid = uuid.uuid4().hex
    headers = browser.headers(extra_cookie="theme=dark", **{"x-request-id": rid})
    response = await gateway.get("/api/echo/echo/mine", headers=headers)
    assert response.status_code == 200
    seen = echo_service.by_request_id(rid)[0]["headers"]
    assert seen["authorization"].startswith("Bearer ey")
    assert str(identity_service.user_id) in seen["x-portal-user"]
    assert seen["cookie"] == "theme=dark"  # the gateway's own cookies stay at the gateway


async def test_unsafe_method_needs_the_csrf_token(gateway, identity_service, echo_service):
    browser, _ = await sign_in(gateway, identity_service.email)
    other, _ = await sign_in(gateway, identity_service.email)
    attempts = {
        "missing": browser.headers(),
        "wrong": browser.headers(csrf="guess"),
        # A valid double submit, but with another session's token (a planted cookie).
        "other session's": Browser(gateway, browser.session, other.csrf).headers(csrf=other.csrf),
    }
    for name, headers in attempts.items():
        rid = uuid.uuid4().hex
        response = await gateway.post("/api/echo/echo/change", json={},
                                      headers={**headers, "x-request-id": rid})
        assert response.status_code == 403, name
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("/csrf-rejected")
        assert echo_service.by_request_id(rid) == [], name

    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = await gateway.request(method, "/api/echo/echo/change",
                                         headers=browser.headers(csrf=browser.csrf))
        assert response.status_code == 200, method
    # Safe methods need no token.
    assert (await gateway.get("/api/echo/echo/read", headers=browser.headers())).status_code == 200


async def test_bearer_header_wins_over_the_cookie(gateway, identity_service, echo_service,
                                                  make_token):
    browser, _ = await sign_in(gateway, identity_service.email)
    token = make_token()
    rid = uuid.uuid4().hex
    response = await gateway.post(
        "/api/echo/echo/api-client",
        headers=browser.headers(authorization=f"Bearer {token}", **{"x-request-id": rid}),
    )
    assert response.status_code == 200  # no CSRF needed: the cookie was not used
    assert echo_service.by_request_id(rid)[0]["headers"]["authorization"] == f"Bearer {token}"


async def test_session_endpoint_says_who_is_signed_in(gateway, identity_service):
    browser, _ = await sign_in(gateway, identity_service.email)
    response = await gateway.get("/auth/session", headers=browser.headers())
    assert response.status_code == 200
    assert response.json()["user"]["email"] == identity_service.email
    assert response.json()["csrf_token"] == browser.csrf

    response = await gateway.get("/auth/session")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.req("ID-10")
async def test_expiring_access_token_is_refreshed_once(gateway, identity_service, echo_service,
                                                       clock):
    browser, _ = await sign_in(gateway, identity_service.email)
    rid = uuid.uuid4().hex
    await gateway.get("/api/echo/echo/1", headers=browser.headers(**{"x-request-id": rid}))
    first = echo_service.by_request_id(rid)[0]["headers"]["authorization"]

    # 285 s into a 300 s token: inside the 30 s margin, so refresh before forwarding.
    clock.advance(timedelta(seconds=identity_service.access_lifetime - 15))
    refreshes = identity_service.calls["refresh"]
    identity_service.refresh_delay = 0.05  # let the concurrent requests pile up
    try:
        rids = [uuid.uuid4().hex for _ in range(5)]
        responses = await asyncio.gather(*(
            gateway.get("/api/echo/echo/2", headers=browser.headers(**{"x-request-id": r}))
            for r in rids
        ))
    finally:
        identity_service.refresh_delay = 0.0
    assert [r.status_code for r in responses] == [200] * 5
    assert identity_service.calls["refresh"] == refreshes + 1  # refresh tokens work once
    sent = {echo_service.by_request_id(r)[0]["headers"]["authorization"] for r in rids}
    assert len(sent) == 1 and sent != {first}


async def test_refused_refresh_ends_the_session(gateway, identity_service, echo_service, clock):
    browser, _ = await sign_in(gateway, identity_service.email)
    identity_service.refresh_tokens.clear()  # identity revoked them (e.g. password changed)
    clock.advance(timedelta(seconds=identity_service.access_lifetime + 60))
    rid = uuid.uuid4().hex
    headers = browser.headers(**{"x-request-id": rid})
    response = await gateway.get("/api/echo/echo/x", headers=headers)
    assert response.status_code == 401
    assert response.json()["type"].endswith("/session-ended")
    assert all("Max-Age=0" in line for line in _set_cookies(response).values())
    assert echo_service.by_request_id(rid) == []
    assert (await gateway.get("/auth/session", headers=browser.headers())).status_code == 401


async def test_sign_out_revokes_and_clears(gateway, identity_service, echo_service):
    browser, _ = await sign_in(gateway, identity_service.email)
    assert (await gateway.post("/auth/logout", headers=browser.headers())).status_code == 403

    revoked = len(identity_service.revoked)
    response = await gateway.post("/auth/logout", headers=browser.headers(csrf=browser.csrf))
    assert response.status_code == 204
    cleared = _set_cookies(response)
    assert set(cleared) == {"portal_session", "portal_csrf"}
    assert all("Max-Age=0" in line for line in cleared.values())
    assert len(identity_service.revoked) == revoked + 1

    # The old cookie means nothing now: no token is injected, and the browser forgets it.
    rid = uuid.uuid4().hex
    headers = browser.headers(**{"x-request-id": rid})
    response = await gateway.get("/api/echo/echo/x", headers=headers)
    assert response.status_code == 200
    assert "authorization" not in echo_service.by_request_id(rid)[0]["headers"]
    assert "portal_session" in _set_cookies(response)
    assert (await gateway.get("/auth/session", headers=browser.headers())).status_code == 401


async def test_signing_in_again_ends_the_previous_session(gateway, identity_service):
    first, _ = await sign_in(gateway, identity_service.email)
    revoked = len(identity_service.revoked)
    second, _ = await sign_in(gateway, identity_service.email, cookie=first.headers()["cookie"])
    assert second.session != first.session
    assert len(identity_service.revoked) == revoked + 1
    assert (await gateway.get("/auth/session", headers=first.headers())).status_code == 401
    assert (await gateway.get("/auth/session", headers=second.headers())).status_code == 200


async def test_wrong_password_is_identitys_problem(gateway, identity_service):
    response = await gateway.post(
        "/auth/login", json={"email": identity_service.email, "password": "nope"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Wrong email or password."
    assert "set-cookie" not in response.headers


async def test_sign_in_from_a_foreign_page_is_refused(gateway, identity_service):
    response = await gateway.post(
        "/auth/login", json={"email": identity_service.email, "password": PASSWORD},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    await sign_in(gateway, identity_service.email, origin="http://localhost:8090")


@pytest.mark.req("PL-07")
async def test_sign_in_fields_are_validated(gateway):
    response = await gateway.post("/auth/login", json={"email": "a@b.c"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "password"


async def test_identity_down_is_a_503_problem(start_gateway, gateway_settings, down_url,
                                              echo_service):
    settings = gateway_settings(upstreams={"identity": down_url, "echo": echo_service.url})
    async with start_gateway(settings) as client:
        response = await client.post("/auth/login", json={"email": "a@b.c", "password": "x"})
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"


async def test_identity_sees_the_browsers_address_not_the_gateways(gateway, identity_service):
    # Identity throttles sign-ins per client address (ID-12): it must get the browser's.
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.3")
    async with httpx.AsyncClient(base_url=gateway.base_url, transport=transport) as browser:
        await sign_in(browser, identity_service.email)
    assert identity_service.sign_in_addresses[-1] == "127.0.0.3"
