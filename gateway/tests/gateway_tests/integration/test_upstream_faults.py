"""Upstreams that misbehave at the socket level: stale keep-alive, garbage, a cut-off body."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest


class RawUpstream:
    """Answers each connection's first request, then hangs up on the next one unanswered,
    as a server does when its keep-alive timer fires just as a request arrives."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self.connections = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        answered = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests.append(head)
                target = head.split(b" ", 2)[1]
                if target == b"/garbage":
                    writer.write(b"NOT HTTP AT ALL\r\n\r\n")
                elif target == b"/cut":
                    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n" + b"x" * 10)
                    await writer.drain()
                    await asyncio.sleep(0.05)
                elif answered == 0:
                    answered += 1
                    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                    await writer.drain()
                    continue
                break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


@pytest.fixture
async def raw_gateway(start_gateway, gateway_settings):
    upstream = RawUpstream()
    server = await asyncio.start_server(upstream.handle, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    settings = gateway_settings(upstreams={"raw": url}, upstream_idle_seconds=30)
    async with start_gateway(settings) as client:
        yield client, upstream
    server.close()


async def test_a_request_on_a_stale_connection_is_retried_once(raw_gateway):
    client, upstream = raw_gateway
    assert (await client.get("/api/raw/one")).text == "ok"
    # The pooled connection is closed by the upstream on receipt: a GET is safe to resend.
    assert (await client.get("/api/raw/two")).text == "ok"
    assert upstream.connections == 2
    assert [r.split(b" ")[1] for r in upstream.requests] == [b"/one", b"/two", b"/two"]


async def test_a_post_on_a_stale_connection_is_not_resent(raw_gateway):
    client, upstream = raw_gateway
    assert (await client.get("/api/raw/one")).text == "ok"
    response = await client.post("/api/raw/create", content=b"{}")
    assert response.status_code == 502
    assert [r.split(b" ")[1] for r in upstream.requests].count(b"/create") == 1


async def test_a_malformed_response_is_a_502(raw_gateway):
    client, _ = raw_gateway
    response = await client.get("/api/raw/garbage")
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_body_cut_short_is_not_passed_off_as_whole(raw_gateway):
    client, _ = raw_gateway
    with pytest.raises(httpx.RemoteProtocolError):
        await client.get("/api/raw/cut")
