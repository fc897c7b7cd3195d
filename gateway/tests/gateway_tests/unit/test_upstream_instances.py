"""Choosing an instance: round robin, and a failed connect passes the instance over for a while."""

from __future__ import annotations

import pytest

from gateway.upstream_pool import Upstream, UpstreamUnreachable


class FakePool:
    def __init__(self, name: str, *, up: bool = True) -> None:
        self.name = name
        self.up = up
        self.connects = 0
        self.unreachable_until = 0.0

    async def acquire(self, *, fresh: bool = False) -> str:
        self.connects += 1
        if not self.up:
            raise UpstreamUnreachable(f"{self.name} refused")
        return self.name


async def test_round_robin_over_the_instances():
    a, b, c = FakePool("a"), FakePool("b"), FakePool("c")
    upstream = Upstream("svc", [a, b, c])
    assert [await upstream.acquire() for _ in range(6)] == ["a", "b", "c", "a", "b", "c"]


async def test_a_refusing_instance_is_passed_over_until_its_time_is_up(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("gateway.upstream_pool.time.monotonic", lambda: now[0])
    a, b = FakePool("a", up=False), FakePool("b")
    upstream = Upstream("svc", [a, b], retry_after=1.0)
    assert [await upstream.acquire() for _ in range(4)] == ["b"] * 4
    assert a.connects == 1  # tried once, then left alone
    now[0] += 1.5
    a.up = True
    assert {await upstream.acquire() for _ in range(2)} == {"a", "b"}


async def test_when_every_instance_is_passed_over_each_is_tried_again(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("gateway.upstream_pool.time.monotonic", lambda: now[0])
    a, b = FakePool("a", up=False), FakePool("b", up=False)
    upstream = Upstream("svc", [a, b], retry_after=60.0)
    with pytest.raises(UpstreamUnreachable):
        await upstream.acquire()
    b.up = True  # came back before its time was up
    assert await upstream.acquire() == "b"
    assert (a.connects, b.connects) == (1, 2)


def test_an_upstream_needs_an_instance():
    with pytest.raises(ValueError):
        Upstream("svc", [])
