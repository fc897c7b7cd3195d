"""The gateway remembers what each caller wrote and hands it on as Portal-Read-After."""

from __future__ import annotations

import time

from gateway.read_your_writes import WrittenVersions
from servicekit.consistency import parse_versions


def test_a_callers_writes_are_merged_newest_version_first_and_kept_apart_from_others():
    versions = WrittenVersions()
    versions.record("user:a", b"identity.user.v1/a=2")
    versions.record("user:a", b"identity.user.v1/a=3,trade-accounts.trade-account.v1/t=5")
    versions.record("user:a", b"identity.user.v1/a=1")  # an older answer arriving late lowers nothing
    assert parse_versions(versions.read_after("user:a").decode()) == {
        ("identity.user.v1", "a"): 3, ("trade-accounts.trade-account.v1", "t"): 5,
    }
    assert versions.read_after("user:b") is None


def test_writes_are_forgotten_after_their_time_and_junk_is_not_remembered(monkeypatch):
    versions = WrittenVersions(ttl_seconds=60)
    versions.record("user:a", b"identity.user.v1/a=2")
    versions.record("user:c", b"not a version list")
    assert versions.read_after("user:c") is None
    later = time.monotonic() + 61
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert versions.read_after("user:a") is None


def test_memory_is_bounded_per_caller_and_in_callers():
    versions = WrittenVersions(max_callers=3, max_entries=2)
    versions.record("user:a", ",".join(f"t.v1/{i}=1" for i in range(5)).encode())
    assert len(parse_versions(versions.read_after("user:a").decode())) == 2
    for caller in ("user:b", "user:c", "user:d"):
        versions.record(caller, b"t.v1/x=1")
    assert versions.read_after("user:a") is None  # the oldest caller made room
