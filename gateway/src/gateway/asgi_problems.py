"""Problem documents (RFC 9457, via servicekit) sent straight from pure-ASGI code."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import Receive, Scope, Send

from servicekit.problems import problem_response


async def send_problem(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    raw_headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    response = problem_response(status, slug, title, detail, instance=scope["path"])
    response.raw_headers.extend(raw_headers)
    await response(scope, receive, send)


async def send_too_many(scope: Scope, receive: Receive, send: Send, wait_seconds: int) -> None:
    await send_problem(
        scope, receive, send, 429, "too-many-requests", "Too many requests",
        f"Slow down: try again in {wait_seconds} s.",
        raw_headers=[(b"retry-after", str(wait_seconds).encode())],
    )
