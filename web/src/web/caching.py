"""What pages reuse for a few seconds instead of asking the gateway again.

Reference data (`Page.reference`): the C-TPAT catalogue, the document types,
the security questions: the same for every user, changed only by a release;
kept five minutes per process.

Who is signed in on a browser, and their navigation, kept a few seconds between that browser's pages.

Every page needs both (the header and the left navigation), and asking the
gateway for them is two of the three or four API calls a page makes. A
browser moving from page to page within seconds reuses them. The key is the
session cookie together with `web_changed`, a cookie the web client renews
after every change it makes, so a change (a new Trade Account, a link) is in
the navigation of the very next page, whichever web process serves it.
Someone else's change (an administrator adding this user to an account)
shows within `ttl_seconds`. Nothing here grants anything: every call a page
makes still goes to the gateway with the browser's own session, which the
gateway checks each time (a session ended meanwhile is a 401 there).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

CHANGED_COOKIE = "web_changed"


def cache_key(session_cookie: str, changed_cookie: str | None) -> str:
    return hashlib.sha256(f"{session_cookie}|{changed_cookie or ''}".encode()).hexdigest()


class TtlCache:
    """Values kept `ttl_seconds`, at most `max_entries` of them (the oldest go first)."""

    def __init__(self, ttl_seconds: float, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()

    def get(self, key: str) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at <= self._clock():
            del self._entries[key]
            return None
        return value

    def put(self, key: str, value: Any) -> None:
        if self._ttl <= 0:
            return
        self._entries[key] = (self._clock() + self._ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)  # the oldest first: bounded memory
