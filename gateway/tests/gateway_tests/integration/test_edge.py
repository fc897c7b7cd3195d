"""Rate limits and CORS, ahead of every route."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

ALLOWED = "http://localhost:8090"


async def test_rate_limit_answers_429_with_retry_after(start_gateway, gateway_settings):
    settings = gateway_settings(rate_limit_per_second=0.5, rate_limit_burst=3)
    async with start_gateway(settings) as client:
        codes = [(await client.get("/api/echo/echo/x")).status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        response = await client.get("/api/echo/echo/x")
        assert response.status_code == 429
        assert response.headers["content-type"] == "application/problem+json"
        assert int(response.headers["retry-after"]) >= 1
        # The gateway's own routes share the address's bucket; health probes do not.
        assert (await client.get("/auth/session")).status_code == 429
        assert (await client.get("/health/live")).status_code == 200


async def test_each_user_has_a_bucket_too(start_gateway, gateway_settings, make_token):
    settings = gateway_settings(rate_limit_per_second=0.5, rate_limit_burst=2)
    alice = {"authorization": f"Bearer {make_token(user_id=uuid.uuid4())}"}
    bob = {"authorization": f"Bearer {make_token(user_id=uuid.uuid4())}"}
    async with start_gateway(settings) as client:
        base = str(client.base_url)
        for _ in range(2):
            assert (await client.get("/api/echo/echo/1", headers=alice)).status_code == 200
        # From another address (a fresh address bucket) alice is still out of tokens...
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        async with httpx.AsyncClient(base_url=base, transport=transport) as elsewhere:
            response = await elsewhere.get("/api/echo/echo/2", headers=alice)
            assert response.status_code == 429
            # ...while bob, from there, is not.
            assert (await elsewhere.get("/api/echo/echo/3", headers=bob)).status_code == 200


async def test_preflight_from_an_allowed_origin(gateway):
    response = await gateway.options(
        "/api/echo/echo/x",
        headers={
            "origin": ALLOWED,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, x-csrf-token",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "x-csrf-token" in response.headers["access-control-allow-headers"]


async def test_preflight_from_another_origin_is_refused(gateway):
    response = await gateway.options(
        "/api/echo/echo/x",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("origin, allowed", [(ALLOWED, True), ("https://evil.example", False)])
async def test_simple_requests_get_cors_headers_only_for_allowed_origins(gateway, origin, allowed):
    response = await gateway.get("/api/echo/echo/x", headers={"origin": origin})
    assert response.status_code == 200
    assert ("access-control-allow-origin" in response.headers) is allowed
    if allowed:
        assert response.headers["access-control-allow-origin"] == origin
        assert "x-request-id" in response.headers["access-control-expose-headers"]


async def test_web_client_is_served_behind_the_gateway(start_gateway, gateway_settings,
                                                       echo_service):
    settings = gateway_settings(web_upstream=echo_service.url)
    async with start_gateway(settings) as client:
        response = await client.get("/echo/index.html", params={"q": "1"})
        assert response.status_code == 200
        assert response.json()["path"] == "/echo/index.html"
        assert response.json()["query"] == "q=1"
        # The gateway's own paths stay its own.
        assert (await client.get("/health/live")).json() == {"status": "ok"}
        assert (await client.get("/api/echo/echo/y")).json()["path"] == "/echo/y"


async def test_the_web_client_gets_the_browsers_cookies_to_call_the_api_back_as_its_user(
    start_gateway, gateway_settings, echo_service
):
    # The pages have no identity of their own: they call the gateway's API with the
    # browser's session cookie and the CSRF token the page posted, so both reach them.
    settings = gateway_settings(web_upstream=echo_service.url)
    async with start_gateway(settings) as client:
        response = await client.post(
            "/echo/account/profile",
            headers={"cookie": "portal_session=abc; portal_csrf=xyz; web_notice=1", "x-csrf-token": "xyz"},
        )
        seen = response.json()["headers"]
        assert seen["cookie"] == "portal_session=abc; portal_csrf=xyz; web_notice=1"
        assert seen["x-csrf-token"] == "xyz"
        assert "authorization" not in seen  # the session's token never leaves the gateway


async def test_many_clients_at_once(gateway):
    responses = await asyncio.gather(*(gateway.get("/api/echo/echo/c") for _ in range(100)))
    assert {r.status_code for r in responses} == {200}
