"""A browser's session view and navigation are reused for seconds, never longer, and never unbounded."""

from __future__ import annotations

from web.caching import TtlCache, cache_key


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_lives_its_seconds_and_no_longer():
    clock = Clock()
    cache = TtlCache(5, clock=clock)
    cache.put("a", ("session", []))
    clock.now += 4.9
    assert cache.get("a") == ("session", [])
    clock.now += 0.2
    assert cache.get("a") is None


def test_a_change_made_through_the_web_client_is_a_new_key():
    assert cache_key("session-1", None) != cache_key("session-1", "changed-once")
    assert cache_key("session-1", "x") != cache_key("session-2", "x")
    assert len(cache_key("s", None)) == 64  # a digest: the cookie itself is never kept as a key


def test_the_oldest_entries_go_first_beyond_the_bound_and_zero_seconds_keeps_nothing():
    cache = TtlCache(60, max_entries=3, clock=Clock())
    for key in "abcd":
        cache.put(key, key)
    assert [cache.get(k) for k in "abcd"] == [None, "b", "c", "d"]
    off = TtlCache(0, clock=Clock())
    off.put("a", "a")
    assert off.get("a") is None
