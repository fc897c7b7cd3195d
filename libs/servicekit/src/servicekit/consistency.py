"""Reading your own writes across services.

A change in one service reaches another as an event, a few milliseconds
later. A client that changes its profile in identity and at once creates a
Trade Account must not be told by trade-accounts to complete the profile it
has just completed. The mechanism, once for every service:

1. A service's response to a write names the aggregate versions it put in
   its outbox: `Portal-Written: identity.user.v1/<id>=3` (comma-separated;
   `servicekit.db.TransactionalRoute` adds it after the commit).
2. The gateway remembers, per caller, what they wrote in the last minute and
   sends it on the caller's next requests as `Portal-Read-After`. A client
   may also echo the header itself.
3. A service that reads those topics as events (`ReadAfterMiddleware`) waits,
   before it decides anything, until its consumer has applied at least those
   versions (its `inbox_aggregate_version` rows), for a bounded time. If its
   read model is still behind then, it answers 409 with `Retry-After`, never a
   decision taken on facts older than the caller's own writes.

Entries for topics a service does not consume are ignored, so a header that
goes everywhere costs nothing where it does not matter.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping

from sqlalchemy import text
from starlette.types import ASGIApp, Receive, Scope, Send

from servicekit.db import WRITTEN_HEADER, Database, format_versions

__all__ = ["READ_AFTER_HEADER", "WRITTEN_HEADER", "ReadAfter", "ReadAfterMiddleware", "format_versions",
           "parse_versions"]

READ_AFTER_HEADER = "portal-read-after"
_READ_AFTER = READ_AFTER_HEADER.encode()
MAX_ENTRIES = 64

Written = dict[tuple[str, str], int]


def parse_versions(value: str) -> Written:
    """Lenient: an entry that does not parse is skipped (it is a hint, never a command)."""
    versions: Written = {}
    for entry in value.split(",")[:MAX_ENTRIES]:
        key, _, version = entry.strip().rpartition("=")
        topic, _, aggregate_id = key.partition("/")
        if not topic or not aggregate_id or not version.isdigit() or len(key) > 300:
            continue
        versions[(topic, aggregate_id)] = max(int(version), versions.get((topic, aggregate_id), 0))
    return versions


class ReadModelBehind(Exception):
    pass


class ReadAfter:
    """Waits until this service's consumers have applied the versions a caller has written."""

    def __init__(self, database: Database, consumer_of_topic: Mapping[str, str], *, wait_seconds: float = 3.0,
                 poll_seconds: float = 0.005) -> None:
        self._database = database
        self._consumer_of_topic = dict(consumer_of_topic)
        self._wait_seconds = wait_seconds
        self._poll_seconds = poll_seconds

    def relevant(self, versions: Written) -> dict[tuple[str, str], int]:
        """(consumer, aggregate id) -> version, for the topics this service reads."""
        wanted: dict[tuple[str, str], int] = {}
        for (topic, aggregate_id), version in versions.items():
            consumer = self._consumer_of_topic.get(topic)
            if consumer is not None:
                wanted[(consumer, aggregate_id)] = max(version, wanted.get((consumer, aggregate_id), 0))
        return wanted

    async def wait(self, versions: Written) -> None:
        wanted = self.relevant(versions)
        if not wanted:
            return
        deadline = time.monotonic() + self._wait_seconds
        pause = self._poll_seconds
        while True:
            wanted = await self._behind(wanted)
            if not wanted:
                return
            if time.monotonic() >= deadline:
                raise ReadModelBehind(wanted)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    async def _behind(self, wanted: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
        async with self._database.engine.connect() as conn:
            rows = await conn.execute(
                text("select v.consumer, v.aggregate_id, v.version from inbox_aggregate_version v"
                     " join unnest(cast(:consumers as text[]), cast(:aggregates as text[])) w(consumer, aggregate_id)"
                     " using (consumer, aggregate_id)"),
                {"consumers": [c for c, _ in wanted], "aggregates": [a for _, a in wanted]},
            )
            applied = {(r.consumer, r.aggregate_id): r.version for r in rows}
        return {key: version for key, version in wanted.items() if applied.get(key, 0) < version}


class ReadAfterMiddleware:
    """Holds a request until the caller's own writes elsewhere have reached this service's read models."""

    def __init__(self, app: ASGIApp, read_after: ReadAfter) -> None:
        self.app = app
        self.read_after = read_after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/health/"):
            # The gateway's hint and the client's own echo may both be there. (Health answers for the
            # process, not for a caller's data: it never waits.)
            hints = [value.decode("latin-1") for name, value in scope["headers"] if name == _READ_AFTER]
            if hints:
                try:
                    await self.read_after.wait(parse_versions(",".join(hints)))
                except ReadModelBehind:
                    await _send_behind(scope, send)
                    return
        await self.app(scope, receive, send)


async def _send_behind(scope: Scope, send: Send) -> None:
    body = json.dumps({
        "type": "https://portal.ctpat.local/problems/read-model-behind",
        "title": "Your earlier change has not reached this service yet",
        "status": 409,
        "detail": "A change you just made elsewhere in the portal is still on its way here; try again in a moment.",
        "instance": scope.get("path", ""),
    }).encode()
    await send({"type": "http.response.start", "status": 409, "headers": [
        (b"content-type", b"application/problem+json"), (b"retry-after", b"1"),
        (b"content-length", str(len(body)).encode()),
    ]})
    await send({"type": "http.response.body", "body": body})
