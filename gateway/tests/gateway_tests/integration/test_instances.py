"""A service run as several instances: requests spread round robin, a refused connect moves on."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import pytest

from gateway_tests.fakes import EchoService
from gateway_tests.servers import InProcessServer


@contextlib.asynccontextmanager
async def echo_instances(count: int) -> AsyncIterator[list[tuple[EchoService, InProcessServer]]]:
    instances = []
    try:
        for _ in range(count):
            echo = EchoService()
            server = await InProcessServer(echo.app()).start()
            echo.url = server.url
            instances.append((echo, server))
        yield instances
    finally:
        for _, server in instances:
            await server.stop()


def _seen(echo: EchoService, marker: str) -> int:
    return sum(1 for s in echo.seen if s["headers"].get("x-test-marker") == marker)


async def test_requests_are_spread_over_the_instances_round_robin(start_gateway, gateway_settings):
    async with echo_instances(3) as instances:
        settings = gateway_settings(upstreams={"svc": [echo.url for echo, _ in instances]})
        async with start_gateway(settings) as client:
            marker = uuid.uuid4().hex
            for _ in range(9):
                response = await client.get("/api/svc/echo/x", headers={"x-test-marker": marker})
                assert response.status_code == 200
            assert [_seen(echo, marker) for echo, _ in instances] == [3, 3, 3]
            # Each instance is addressed as itself.
            hosts = {s["headers"]["host"] for echo, _ in instances for s in echo.seen}
            assert hosts == {echo.url.removeprefix("http://") for echo, _ in instances}


async def test_a_refused_connect_tries_the_next_instance_even_for_a_post(
    start_gateway, gateway_settings, down_url
):
    async with echo_instances(1) as [(echo, _)]:
        settings = gateway_settings(upstreams={"svc": [down_url, echo.url, down_url]})
        async with start_gateway(settings) as client:
            marker = uuid.uuid4().hex
            for _ in range(6):
                response = await client.post(
                    "/api/svc/echo/create", content=b'{"n": 1}', headers={"x-test-marker": marker}
                )
                assert response.status_code == 200, response.text
            # Every request reached the live instance exactly once: nothing lost, nothing doubled.
            assert _seen(echo, marker) == 6


async def test_an_instance_that_goes_away_is_passed_over(start_gateway, gateway_settings):
    async with echo_instances(2) as instances:
        (first, first_server), (second, _) = instances
        settings = gateway_settings(upstreams={"svc": [first.url, second.url]})
        async with start_gateway(settings) as client:
            warm = uuid.uuid4().hex
            for _ in range(4):  # keep-alive connections to both instances now sit in the pools
                await client.get("/api/svc/echo/warm", headers={"x-test-marker": warm})
            assert [_seen(first, warm), _seen(second, warm)] == [2, 2]

            await first_server.stop()
            marker = uuid.uuid4().hex
            for _ in range(6):
                response = await client.post(
                    "/api/svc/echo/after", content=b"{}", headers={"x-test-marker": marker}
                )
                assert response.status_code == 200, response.text
            assert _seen(second, marker) == 6


async def test_every_instance_refusing_is_a_502_problem(start_gateway, gateway_settings, down_url):
    settings = gateway_settings(upstreams={"svc": [down_url, down_url]})
    async with start_gateway(settings) as client:
        response = await client.post("/api/svc/echo/x", content=b"{}")
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "The svc service cannot be reached just now; try again shortly."


@pytest.mark.req("PL-06")
async def test_health_says_when_only_some_instances_are_ready(
    start_gateway, gateway_settings, echo_service, down_url
):
    settings = gateway_settings(upstreams={
        "identity": gateway_settings().upstreams["identity"],
        "half": [echo_service.url, down_url],
        "whole": [echo_service.url, echo_service.url],
        "none": [down_url, down_url],
    })
    async with start_gateway(settings) as client:
        upstreams = (await client.get("/health/ready")).json()["upstreams"]
        document = (await client.get("/openapi.json")).json()
    assert upstreams["half"] == "degraded (1 of 2 ready)"
    assert upstreams["whole"] == "ok"
    assert upstreams["none"] == "unreachable"
    # The document comes from whichever instance answers.
    assert document["x-upstreams"]["half"] == "ok" and "/api/half/widgets" in document["paths"]
