"""Bodies stream both ways: large uploads and downloads arrive whole, in order, in pieces."""

from __future__ import annotations

import hashlib

from gateway_tests.fakes import download_bytes

SIZE = 8 * 1024 * 1024 + 13


async def _chunks(total: int, size: int = 64 * 1024):
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        yield download_bytes(sent, n)
        sent += n


def _digest(total: int) -> str:
    return hashlib.sha256(download_bytes(0, total)).hexdigest()


async def test_large_chunked_upload_streams_to_the_upstream(gateway):
    response = await gateway.post("/api/echo/upload", content=_chunks(SIZE))
    assert response.status_code == 200
    body = response.json()
    assert body["bytes"] == SIZE
    assert body["sha256"] == _digest(SIZE)
    assert body["chunks"] > 1  # it arrived in pieces, not as one buffered lump
    assert body["headers"].get("transfer-encoding") == "chunked"


async def test_large_upload_with_content_length_keeps_it(gateway):
    data = download_bytes(0, SIZE)
    response = await gateway.post("/api/echo/upload", content=data)
    body = response.json()
    assert body["bytes"] == SIZE
    assert body["sha256"] == _digest(SIZE)
    assert body["headers"]["content-length"] == str(SIZE)


async def test_large_download_streams_back(gateway):
    digest = hashlib.sha256()
    received = pieces = 0
    async with gateway.stream("GET", "/api/echo/download", params={"size": SIZE}) as response:
        assert response.status_code == 200
        async for chunk in response.aiter_raw():
            digest.update(chunk)
            received += len(chunk)
            pieces += 1
    assert received == SIZE
    assert digest.hexdigest() == _digest(SIZE)
    assert pieces > 1


async def test_abandoned_download_leaves_the_gateway_working(gateway):
    async with gateway.stream("GET", "/api/echo/download", params={"size": SIZE}) as response:
        async for _ in response.aiter_raw():
            break  # the client walks away mid-body
    assert (await gateway.get("/api/echo/echo/after")).status_code == 200
