"""The data plane: `/api/<service>/<rest>` to `<upstream>/<rest>`, bodies streamed both ways.

A pure-ASGI handler (no routing, no Request objects) because every
microsecond here is added to every call in the portal. In order, a request:

1. finds its upstream by the first path segment (unknown -> 404 problem), and
   later one of its instances, round robin (a refused connect tries the next);
2. is identified: a bearer token is verified locally (bad -> 401 problem, not
   forwarded); else a `portal_session` cookie is resolved to the browser
   session's access token (CSRF-checked for unsafe methods); else it goes on
   anonymously, for the services' public endpoints;
3. draws from its user's rate-limit bucket (the address bucket was drawn at
   the edge);
4. is forwarded with hop-by-hop headers removed, `Host` set to the upstream,
   the client's `x-portal-user` replaced by the verified one, `x-request-id`,
   `X-Forwarded-*` and (when tracing) a `traceparent` whose parent is the
   gateway's own client span under its server span;
5. the response comes back the same way, streamed, or in two ASGI messages
   when the upstream's whole answer has already arrived (the common case).

An upstream that cannot be reached gives 502, one that is too slow 504, both
as problems; never a 500.
"""

from __future__ import annotations

import asyncio

import structlog
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import Receive, Scope, Send

from gateway.asgi_problems import send_problem, send_too_many
from gateway.browser_session import (
    BrowserSessions,
    CookieJar,
    CsrfRejected,
    SessionEnded,
    clearing_cookie_headers,
)
from gateway.caller import Caller, CallerVerifier
from gateway.identity_client import IdentityUnavailable
from gateway.rate_limit import RateLimiter
from gateway.read_your_writes import WrittenVersions
from gateway.upstream_pool import (
    Upstream,
    UpstreamAddress,
    UpstreamError,
    UpstreamSaturated,
    UpstreamTimeout,
)
from servicekit.errors import Unauthenticated

log = structlog.get_logger("gateway.proxy")

HOP_BY_HOP = frozenset({
    b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization",
    b"proxy-connection", b"te", b"trailer", b"transfer-encoding", b"upgrade",
})
# Request headers the gateway owns: dropped from the client's, set anew when they apply.
_REQUEST_OWNED = HOP_BY_HOP | {
    b"host", b"expect", b"content-length", b"x-portal-user", b"x-request-id",
    b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"x-forwarded-prefix",
    b"forwarded",
}
_TRACE_HEADERS = frozenset({b"traceparent", b"tracestate"})
# The gateway's uvicorn writes its own Date, and RequestIdMiddleware its own x-request-id.
_RESPONSE_DROPPED = HOP_BY_HOP | {b"date", b"server", b"x-request-id"}
# Methods that are safe to send again when a kept-alive connection turns out closed.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class _Incoming:
    """One pass over the client's headers: what is forwarded, and what the gateway reads."""

    __slots__ = (
        "forward", "authorization", "cookies", "csrf", "content_length", "chunked", "host",
    )

    def __init__(self, scope: Scope, drop: frozenset[bytes]) -> None:
        forward = []
        self.authorization: bytes | None = None
        self.cookies: bytes | None = None
        self.csrf: bytes | None = None
        self.content_length: bytes | None = None
        self.chunked = False
        self.host = b""
        listed: set[bytes] | None = None
        for name, value in scope["headers"]:
            if name in drop:
                if name == b"content-length":
                    self.content_length = value
                elif name == b"transfer-encoding":
                    self.chunked = b"chunked" in value.lower()
                elif name == b"host":
                    self.host = value
                elif name == b"connection":
                    listed = {t.strip().lower() for t in value.split(b",")}
            elif name == b"authorization":
                self.authorization = value
            elif name == b"cookie":
                self.cookies = value if self.cookies is None else self.cookies + b"; " + value
            elif name == b"x-csrf-token":
                self.csrf = value  # the gateway's business; services never see it
            else:
                forward.append((name, value))
        if listed:
            # Headers the client named in Connection are hop-by-hop too (RFC 9110 7.6.1).
            forward = [(n, v) for n, v in forward if n not in listed]
        self.forward = forward


class Proxy:
    def __init__(
        self,
        *,
        upstreams: dict[str, Upstream],
        web_pool: Upstream | None,
        callers: CallerVerifier,
        sessions: BrowserSessions,
        limiter: RateLimiter,
        read_timeout: float,
        cookie_secure: bool,
        tracer: trace.Tracer | None,
        written: WrittenVersions | None = None,
    ) -> None:
        self._upstreams = {name.encode(): upstream for name, upstream in upstreams.items()}
        self.web_pool = web_pool
        self._callers = callers
        self._sessions = sessions
        self._limiter = limiter
        self._read_timeout = read_timeout
        self._tracer = tracer
        self._written = written or WrittenVersions()
        self._clear_cookies = [
            (b"set-cookie", c) for c in clearing_cookie_headers(secure=cookie_secure)
        ]
        self._drop = _REQUEST_OWNED | _TRACE_HEADERS if tracer is not None else _REQUEST_OWNED

    # --- entry points ------------------------------------------------------------

    async def api(self, scope: Scope, receive: Receive, send: Send) -> None:
        """`/api/<service>/<rest>`: identify the caller, then forward to the service."""
        raw_path = scope.get("raw_path") or scope["path"].encode()
        rest = raw_path[5:]  # after b"/api/"
        slash = rest.find(b"/")
        service, target = (rest, b"/") if slash < 0 else (rest[:slash], rest[slash:])
        upstream = self._upstreams.get(service)
        if upstream is None:
            await send_problem(
                scope, receive, send, 404, "unknown-service", "Not found",
                f"No service is routed at /api/{service.decode('latin-1')}.",
            )
            return

        if self._tracer is not None:
            # Name the server span for the route, not just the method.
            route = f"/api/{service.decode('latin-1')}/{{path}}"
            server_span = trace.get_current_span()
            server_span.update_name(f"{scope['method']} {route}")
            server_span.set_attribute("http.route", route)

        incoming = _Incoming(scope, self._drop)
        try:
            caller, authorization, jar, response_headers = await self._identify(scope, incoming)
        except (SessionEnded, CsrfRejected, Unauthenticated, IdentityUnavailable) as exc:
            await self._refuse(scope, receive, send, exc)
            return

        headers = incoming.forward
        if caller is not None:
            wait = self._limiter.check(caller.rate_limit_key)
            if wait:
                await send_too_many(scope, receive, send, wait)
                return
            headers.append((b"x-portal-user", caller.header_value))
            read_after = self._written.read_after(caller.rate_limit_key)
            if read_after is not None:
                headers.append((b"portal-read-after", read_after))
        if authorization is not None:
            headers.append((b"authorization", authorization))
        if jar is not None and jar.others is not None:
            headers.append((b"cookie", jar.others))
        headers.append((b"x-forwarded-prefix", b"/api/" + service))
        await self._forward(scope, receive, send, upstream, target, incoming, response_headers,
                            writer=caller.rate_limit_key if caller is not None else None)

    async def _identify(
        self, scope: Scope, incoming: _Incoming
    ) -> tuple[Caller | None, bytes | None, CookieJar | None, list[tuple[bytes, bytes]]]:
        """Who is calling, and the Authorization header to forward: the client's own bearer
        token, else the browser session's access token, else none (anonymous)."""
        authorization = incoming.authorization
        jar = CookieJar.parse(incoming.cookies) if incoming.cookies is not None else None
        if authorization is not None:
            scheme, _, token = authorization.partition(b" ")
            # Only bearer tokens mean something here; another scheme passes as it is.
            if scheme.lower() != b"bearer":
                return None, authorization, jar, []
            caller = await self._callers.caller(token.strip().decode("latin-1"))
            return caller, authorization, jar, []
        if jar is None or jar.session_id is None:
            return None, None, jar, []
        session = await self._sessions.for_request(
            jar.session_id,
            method=scope["method"],
            csrf_cookie=jar.csrf_token,
            csrf_header=incoming.csrf.decode("latin-1") if incoming.csrf else None,
            request_id=_request_id(scope),
            client=scope["client"][0] if scope.get("client") else None,
        )
        if session is None:
            return None, None, jar, self._clear_cookies  # a stale cookie: forget it
        caller = await self._callers.caller(session.access_token)
        return caller, b"Bearer " + session.access_token.encode(), jar, []

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        if isinstance(exc, SessionEnded):
            await send_problem(
                scope, receive, send, 401, exc.slug, exc.title, exc.detail,
                raw_headers=self._clear_cookies,
            )
        elif isinstance(exc, CsrfRejected):
            await send_problem(scope, receive, send, 403, exc.slug, exc.title, exc.detail)
        elif isinstance(exc, Unauthenticated):
            await send_problem(
                scope, receive, send, 401, exc.slug, exc.title, exc.detail,
                raw_headers=[(b"www-authenticate", b'Bearer error="invalid_token"')],
            )
        else:
            log.warning("session refresh failed", error=str(exc))
            await send_problem(
                scope, receive, send, 503, "identity-unavailable", "Sign-in service unavailable",
                "Your session could not be renewed just now; try again shortly.",
                raw_headers=[(b"retry-after", b"5")],
            )

    async def web(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Any other path, to the web client's server, with the browser's cookies as they came.

        The web client holds no identity: it calls the gateway's API back with these
        cookies (and the CSRF token the page posted), so the session's token never leaves
        the gateway and the pages can do only what the user could with the API."""
        incoming = _Incoming(scope, self._drop)
        headers = incoming.forward
        if incoming.authorization is not None:
            headers.append((b"authorization", incoming.authorization))
        if incoming.cookies is not None:
            headers.append((b"cookie", incoming.cookies))
        if incoming.csrf is not None:
            headers.append((b"x-csrf-token", incoming.csrf))
        target = scope.get("raw_path") or scope["path"].encode()
        await self._forward(scope, receive, send, self.web_pool, target, incoming, [])

    # --- forwarding ------------------------------------------------------------------

    async def _forward(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        upstream: Upstream,
        target: bytes,
        incoming: _Incoming,
        response_headers: list[tuple[bytes, bytes]],
        writer: str | None = None,
    ) -> None:
        method = scope["method"]
        if scope["query_string"]:
            target += b"?" + scope["query_string"]
        headers = incoming.forward
        client = scope.get("client")
        if client:
            headers.append((b"x-forwarded-for", client[0].encode()))
        headers.append((b"x-forwarded-proto", scope["scheme"].encode()))
        if incoming.host:
            headers.append((b"x-forwarded-host", incoming.host))
        headers.append((b"x-request-id", _request_id(scope).encode()))

        span = None
        if self._tracer is not None:
            span = self._tracer.start_span(
                method, kind=SpanKind.CLIENT,
                attributes={"http.request.method": method, "gateway.upstream": upstream.name},
            )
            carrier: dict[str, str] = {}
            propagate.inject(carrier, context=trace.set_span_in_context(span))
            headers.extend((k.encode(), v.encode()) for k, v in carrier.items())

        try:
            await self._exchange(
                scope, receive, send, upstream, method, target, headers, incoming,
                response_headers, span, writer,
            )
        finally:
            if span is not None:
                span.end()

    async def _exchange(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        upstream: Upstream,
        method: str,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        incoming: _Incoming,
        response_headers: list[tuple[bytes, bytes]],
        span: trace.Span | None,
        writer: str | None,
    ) -> None:
        # Everything after the request line and Host, which name the instance
        # and are put in front once one is chosen.
        rest = []
        for name, value in headers:
            rest += (name, b": ", value, b"\r\n")

        # The body: whole when the first message holds it all (so a stale
        # keep-alive connection can be retried), streamed otherwise.
        has_body = incoming.chunked or (
            incoming.content_length is not None and incoming.content_length != b"0"
        )
        first = b""
        more_body = False
        if has_body:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            first = message.get("body", b"")
            more_body = message.get("more_body", False)
        if not more_body:
            if has_body or incoming.content_length is not None or method in _BODY_METHODS:
                rest.append(b"content-length: %d\r\n" % len(first))
            rest.append(b"\r\n")
            rest.append(first)
        elif incoming.content_length is not None:
            rest += (b"content-length: ", incoming.content_length, b"\r\n\r\n", first)
        else:
            rest.append(b"transfer-encoding: chunked\r\n\r\n")
            if first:
                rest.append(b"%x\r\n%s\r\n" % (len(first), first))
        request_line = (method.encode(), b" ")
        after_host = b"".join((b"\r\n", *rest))

        head_only = method == "HEAD"
        conn = None
        try:
            conn = await upstream.acquire()
            conn.start(_request(request_line, conn.pool.address, target, after_host), head_only=head_only)
            request_sent = not more_body
            if more_body:
                request_sent = await self._stream_request(
                    receive, conn, chunked=incoming.content_length is None
                )
            try:
                await conn.read_head(self._read_timeout)
            except UpstreamError:
                # A kept-alive connection the upstream had just closed: the
                # request never arrived, so one more try on a new connection
                # (to whichever instance accepts one).
                if not (
                    conn.reused and not conn.received_any and not more_body
                    and method in _IDEMPOTENT and not isinstance(conn.error, UpstreamTimeout)
                ):
                    raise
                upstream.release(conn)
                conn = None
                conn = await upstream.acquire(fresh=True)
                conn.start(_request(request_line, conn.pool.address, target, after_host), head_only=head_only)
                await conn.read_head(self._read_timeout)
        except _ClientGone:
            if conn is not None:
                upstream.release(conn)
            return
        except UpstreamError as exc:
            if conn is not None:
                upstream.release(conn)
            await self._upstream_failed(scope, receive, send, upstream, exc, span)
            return
        except BaseException:
            if conn is not None:
                conn.close()
                upstream.release(conn)
            raise

        if not request_sent:
            conn.keep_alive = False  # it answered before reading all we had to send
        status = conn.status
        out = [(n, v) for n, v in conn.headers if n not in _RESPONSE_DROPPED]
        if writer is not None and status < 400:
            for name, value in conn.headers:
                if name == b"portal-written":
                    # Before the client hears back, so its next request carries it (read_your_writes.py).
                    await self._written.wrote(writer, value)
        if response_headers:
            out.extend(response_headers)
        if span is not None:
            address = conn.pool.address
            span.set_attributes({
                "server.address": address.host,
                "server.port": address.port,
                "url.full": f"{address.scheme}://{address.authority.decode('latin-1')}"
                            f"{(address.base_path + target).decode('latin-1')}",
                "http.response.status_code": status,
            })
            if status >= 500:
                span.set_status(Status(StatusCode.ERROR))
        start = {"type": "http.response.start", "status": status, "headers": out}

        if conn.complete:
            body = conn.take_body()
            upstream.release(conn)
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        await self._stream_response(receive, send, upstream, conn, start, watch_client=request_sent)

    async def _stream_request(self, receive: Receive, conn, *, chunked: bool) -> bool:
        """Sends the rest of the client's body; False if the upstream answered (or broke) first."""
        while True:
            if conn.head_complete or conn.error is not None or conn.closed:
                return False
            message = await receive()
            if message["type"] == "http.disconnect":
                conn.close()
                raise _ClientGone
            body = message.get("body", b"")
            more = message.get("more_body", False)
            if chunked:
                data = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + (
                    b"" if more else b"0\r\n\r\n"
                )
            else:
                data = body
            if data:
                conn.write(data)
                await conn.drain()
            if not more:
                return True

    async def _stream_response(
        self, receive: Receive, send: Send, upstream: Upstream, conn, start, *, watch_client: bool
    ) -> None:
        # Once the request body is all read, receive() only returns when the
        # client leaves: watch it, so a dropped download stops pulling upstream.
        client_gone = asyncio.ensure_future(_disconnected(receive)) if watch_client else None
        try:
            await send(start)
            while True:
                await conn.wait_body(self._read_timeout)
                chunk = conn.take_body()
                if conn.complete:
                    upstream.release(conn)
                    conn = None
                    await send({"type": "http.response.body", "body": chunk})
                    return
                if client_gone is not None and client_gone.done():
                    return  # nobody left to send to; the connection is closed below
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except UpstreamError as exc:
            # Too late for a problem document: cut the client's connection, so a
            # truncated body cannot pass for a whole one.
            log.warning("upstream broke off a response", upstream=upstream.name, error=str(exc))
            raise UpstreamBrokeOff(f"{upstream.name}: {exc}") from None
        finally:
            if conn is not None:
                conn.close()
                upstream.release(conn)
            if client_gone is not None and not client_gone.done():
                client_gone.cancel()

    async def _upstream_failed(
        self, scope: Scope, receive: Receive, send: Send, upstream: Upstream,
        exc: UpstreamError, span: trace.Span | None,
    ) -> None:
        timed_out = isinstance(exc, UpstreamTimeout)
        log.warning("upstream failed", upstream=upstream.name, error=str(exc), timed_out=timed_out)
        if span is not None:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, str(exc)))
        if isinstance(exc, UpstreamSaturated):
            await send_problem(
                scope, receive, send, 503, "upstream-busy", "Service busy",
                f"The {upstream.name} service is at capacity; try again shortly.",
                raw_headers=[(b"retry-after", b"1")],
            )
        elif timed_out:
            await send_problem(
                scope, receive, send, 504, "upstream-timeout", "Service timed out",
                f"The {upstream.name} service did not answer in time.",
            )
        else:
            await send_problem(
                scope, receive, send, 502, "upstream-unavailable", "Service unavailable",
                f"The {upstream.name} service cannot be reached just now; try again shortly.",
                raw_headers=[(b"retry-after", b"2")],
            )


class _ClientGone(Exception):
    """The client disconnected before its request body was all sent."""


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


class UpstreamBrokeOff(Exception):
    """An upstream failed after its response had begun; the client's connection is cut."""


def _request(
    request_line: tuple[bytes, bytes], address: UpstreamAddress, target: bytes, after_host: bytes
) -> bytes:
    """The request as it goes to one instance: its path prefix and its Host."""
    return b"".join((
        *request_line, address.base_path, target, b" HTTP/1.1\r\nhost: ", address.authority,
        after_host,
    ))


def _request_id(scope: Scope) -> str:
    # Set by servicekit's RequestIdMiddleware, which runs before the proxy.
    return scope.get("state", {}).get("request_id", "")
