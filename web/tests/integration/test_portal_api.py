"""PortalApi against a real HTTP server standing in for the gateway: what each call carries, and what it
must never carry (another browser's cookie)."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from web.portal_api import ApiProblem, Forwarded, PortalApi, open_gateway_client


async def _echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.json_response({
        "method": request.method, "path": request.path, "query": request.query_string,
        "cookie": request.headers.get("cookie"), "csrf": request.headers.get("x-csrf-token"),
        "origin": request.headers.get("origin"), "host": request.headers.get("host"),
        "forwarded_for": request.headers.get("x-forwarded-for"),
        "content_type": request.headers.get("content-type", ""), "size": len(body),
    })


async def _sign_in(request: web.Request) -> web.Response:
    response = web.json_response({"signed_in": True})
    response.set_cookie("portal_session", "alice-session", httponly=True)
    response.set_cookie("portal_csrf", "alice-csrf")
    return response


async def _refuse(request: web.Request) -> web.Response:
    return web.json_response({"title": "Invalid", "status": 422, "detail": "no",
                              "errors": [{"field": "name", "message": "is required"}]}, status=422)


@pytest.fixture
async def gateway():
    app = web.Application()
    app.router.add_route("*", "/echo", _echo)
    app.router.add_post("/auth/login", _sign_in)
    app.router.add_post("/refuse", _refuse)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with open_gateway_client(5) as http:
        yield http, str(server.make_url("")).rstrip("/")
    await server.close()


async def test_one_browsers_sign_in_never_reaches_another_browsers_calls(gateway):
    http, url = gateway
    alice = PortalApi(http, url, Forwarded())
    await alice.post("/auth/login", {"email": "a@example.com", "password": "x"})
    assert [v.split(";")[0] for _, v in alice.relayed_headers] == ["portal_session=alice-session",
                                                                    "portal_csrf=alice-csrf"]
    stranger = PortalApi(http, url, Forwarded())
    assert (await stranger.get("/echo"))["cookie"] is None
    bob = PortalApi(http, url, Forwarded(cookie="portal_session=bob"))
    assert (await bob.get("/echo"))["cookie"] == "portal_session=bob"


async def test_the_posted_csrf_token_goes_only_with_unsafe_calls_and_the_origin_only_to_sign_in(gateway):
    http, url = gateway
    api = PortalApi(http, url, Forwarded(cookie="portal_session=s", csrf_token="t", origin="https://portal.example",
                                         host="portal.example", client_address="203.0.113.7"))
    read = await api.get("/echo", q="a&b", none=None, flag=True, many=[1, 2])
    assert read["csrf"] is None and read["origin"] is None and read["host"] != "portal.example"
    assert read["query"] == "q=a%26b&flag=true&many=1&many=2"
    assert read["forwarded_for"] == "203.0.113.7"  # the browser's address, for the gateway's rate limit
    written = await api.put("/echo", {"x": 1})
    assert written["csrf"] == "t" and written["method"] == "PUT"


async def test_files_go_as_multipart_and_refusals_as_problems(gateway):
    http, url = gateway
    api = PortalApi(http, url, Forwarded())
    sent = await api.post("/echo", data={"title": "Seal log", "skip": None},
                          files={"file": ("seal log.pdf", b"%PDF-1.7 " * 1000, "application/pdf")})
    assert sent["content_type"].startswith("multipart/form-data") and sent["size"] > 9000
    with pytest.raises(ApiProblem) as refused:
        await api.post("/refuse", {})
    assert refused.value.status == 422 and refused.value.errors == {"name": "is required"}
