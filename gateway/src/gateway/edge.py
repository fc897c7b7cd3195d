"""Pure-ASGI layers before any route: CORS, the address rate limit, dispatch to the proxy."""

from __future__ import annotations

from starlette.datastructures import Headers, State
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.asgi_problems import send_too_many
from servicekit.problems import problem_response

# Paths the gateway answers itself; with a web upstream, every other non-API path goes there.
_OWN_PREFIXES = ("/auth/", "/health/", "/openapi.json")


class GatewayEdge:
    """Draws from the client address's rate-limit bucket (health probes excepted), then
    sends `/api/...` to the proxy, the gateway's own paths to its routes, and the rest
    to the web client when one is configured."""

    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self._state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith("/health/"):
            await self.app(scope, receive, send)
            return
        gateway = self._state.gateway
        client = scope.get("client")
        wait = gateway.limiter.check("ip:" + (client[0] if client else "-"))
        if wait:
            await send_too_many(scope, receive, send, wait)
        elif path.startswith("/api/") or path == "/api":
            await gateway.proxy.api(scope, receive, send)
        elif gateway.proxy.web_pool is not None and not path.startswith(_OWN_PREFIXES):
            await gateway.proxy.web(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class PortalCors(CORSMiddleware):
    """Starlette's CORS, skipped outright for requests without an Origin (most API
    traffic), and refusing a preflight with a problem document rather than plain text."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, _ in scope["headers"]:
                if name == b"origin":
                    break
            else:
                await self.app(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        detail = bytes(response.body).decode()
        problem = problem_response(400, "cors-rejected", "Cross-origin request refused", detail)
        problem.headers["vary"] = response.headers.get("vary", "Origin")
        return problem
