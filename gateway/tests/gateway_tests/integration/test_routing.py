"""Routing, headers and failures of the proxy path, through real sockets."""

from __future__ import annotations

import uuid

import pytest


def _rid() -> str:
    return uuid.uuid4().hex


async def test_routes_by_service_keeping_path_and_query(gateway, echo_service):
    rid = _rid()
    response = await gateway.get(
        "/api/echo/echo/a/b%2Fc", params={"x": "1", "y": "a b&c"}, headers={"x-request-id": rid}
    )
    assert response.status_code == 200
    seen = echo_service.by_request_id(rid)[0]
    assert seen["raw_path"] == "/echo/a/b%2Fc"
    assert seen["query"] == "x=1&y=a+b%26c"
    assert response.json()["path"] == "/echo/a/b/c"


async def test_unknown_service_is_a_404_problem(gateway):
    response = await gateway.get("/api/nothing-here/x")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "No service is routed at /api/nothing-here."
    assert (await gateway.get("/api")).status_code == 404
    assert (await gateway.get("/api/")).status_code == 404


async def test_request_id_is_passed_on_and_echoed_once(gateway, echo_service):
    rid = _rid()
    response = await gateway.get("/api/echo/echo/rid", headers={"x-request-id": rid})
    assert response.headers.get_list("x-request-id") == [rid]  # not the upstream's too
    assert echo_service.by_request_id(rid)

    response = await gateway.get("/api/echo/echo/rid")
    made = response.headers["x-request-id"]
    assert len(made) == 32
    assert echo_service.by_request_id(made)


async def test_hop_by_hop_and_gateway_owned_headers_are_not_forwarded(gateway, echo_service):
    rid = _rid()
    await gateway.get(
        "/api/echo/echo/hops",
        headers={
            "x-request-id": rid,
            "connection": "keep-alive, x-private-hop",
            "x-private-hop": "secret",
            "te": "trailers",
            "x-portal-user": '{"sub": "forged", "roles": ["admin"]}',
            "x-forwarded-for": "6.6.6.6",
            "x-keep-me": "yes",
            "x-csrf-token": "not for services",
        },
    )
    headers = echo_service.by_request_id(rid)[0]["headers"]
    assert "x-private-hop" not in headers
    assert "te" not in headers
    assert "x-portal-user" not in headers  # anonymous: the forged one is dropped
    assert "x-csrf-token" not in headers
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-prefix"] == "/api/echo"
    assert headers["x-keep-me"] == "yes"
    assert headers["host"] == echo_service.url.removeprefix("http://")


async def test_response_headers_pass_without_hop_by_hop(gateway):
    response = await gateway.get("/api/echo/echo/h")
    assert response.headers["x-upstream"] == "echo"
    assert response.headers.get_list("date") and len(response.headers.get_list("date")) == 1
    assert "server" not in response.headers


async def test_upstream_errors_pass_through_unchanged(gateway):
    response = await gateway.get("/api/echo/status/409")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "asked for 409"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_methods_and_small_bodies(gateway, echo_service, method):
    rid = _rid()
    response = await gateway.request(
        method, "/api/echo/echo/m", content=b'{"a": 1}',
        headers={"x-request-id": rid, "content-type": "application/json"},
    )
    assert response.status_code == 200
    seen = echo_service.by_request_id(rid)[0]
    assert seen["method"] == method
    assert seen["body_length"] == 8


async def test_empty_post_carries_content_length_zero(gateway, echo_service):
    rid = _rid()
    await gateway.post("/api/echo/echo/empty", headers={"x-request-id": rid})
    assert echo_service.by_request_id(rid)[0]["headers"]["content-length"] == "0"


async def test_head_has_headers_and_no_body_and_the_next_request_works(gateway):
    response = await gateway.head("/api/echo/echo/head")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0
    assert (await gateway.get("/api/echo/echo/after-head")).status_code == 200


@pytest.mark.req("PL-06")
async def test_upstream_down_is_a_502_problem(gateway):
    response = await gateway.get("/api/down/anything")
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/upstream-unavailable")
    assert response.headers["retry-after"]


async def test_slow_upstream_is_a_504_problem(start_gateway, gateway_settings):
    async with start_gateway(gateway_settings(upstream_read_timeout_seconds=0.2)) as client:
        response = await client.get("/api/echo/slow", params={"seconds": 1})
        assert response.status_code == 504
        assert response.json()["type"].endswith("/upstream-timeout")
        # The pool is not poisoned by the abandoned exchange.
        assert (await client.get("/api/echo/echo/after")).status_code == 200


async def test_concurrent_requests_share_the_pool(gateway):
    import asyncio

    responses = await asyncio.gather(*(gateway.get(f"/api/echo/echo/{i}") for i in range(50)))
    assert [r.status_code for r in responses] == [200] * 50
    assert [r.json()["path"] for r in responses] == [f"/echo/{i}" for i in range(50)]


async def test_a_saturated_upstream_is_a_503_problem(start_gateway, gateway_settings):
    import asyncio

    settings = gateway_settings(upstream_max_connections=1, upstream_connect_timeout_seconds=0.2)
    async with start_gateway(settings) as client:
        slow = asyncio.create_task(client.get("/api/echo/slow", params={"seconds": 0.6}))
        await asyncio.sleep(0.1)
        response = await client.get("/api/echo/echo/waiting")
        assert response.status_code == 503
        assert response.json()["type"].endswith("/upstream-busy")
        assert (await slow).status_code == 200
        assert (await client.get("/api/echo/echo/free-again")).status_code == 200
