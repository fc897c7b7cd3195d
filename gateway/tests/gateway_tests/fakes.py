"""Tiny real upstreams for the gateway's tests: a fake identity service and an echo service.

They run on uvicorn on loopback (see servers.py), so every test goes
through real sockets, as production traffic does. Tokens are real Ed25519 JWTs,
minted by servicekit's TestSigner, whose JWKS the fake identity publishes.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel

from servicekit.auth import StaffRole
from servicekit.testing.tokens import TestSigner

ISSUER = "https://portal.ctpat.local/identity"
AUDIENCE = "ctpat-portal"
PASSWORD = "correct horse battery staple"


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": "refused", "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


class SignIn(BaseModel):
    email: str
    password: str


class Refresh(BaseModel):
    refresh_token: str


@dataclass
class FakeIdentity:
    """Identity's session endpoints and JWKS, with refresh tokens that work once."""

    signer: TestSigner
    user_id: uuid.UUID = field(default_factory=uuid.uuid4)
    email: str = "scss@cbp.example"
    roles: list[StaffRole] = field(default_factory=lambda: [StaffRole.SCSS])
    access_lifetime: int = 300
    refresh_delay: float = 0.0
    calls: Counter = field(default_factory=Counter)
    refresh_tokens: set[str] = field(default_factory=set)
    revoked: list[str] = field(default_factory=list)
    sign_in_addresses: list[str | None] = field(default_factory=list)

    def grant(self) -> dict[str, Any]:
        refresh = secrets.token_urlsafe(24)
        self.refresh_tokens.add(refresh)
        token = self.signer.token(
            self.user_id, self.email, self.roles, lifetime=timedelta(seconds=self.access_lifetime)
        )
        return {
            "access_token": token,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": self.access_lifetime,
            "password_expired": False,
        }

    def app(self) -> FastAPI:
        app = FastAPI(title="fake identity")

        @app.get("/.well-known/jwks.json")
        async def jwks() -> dict:
            self.calls["jwks"] += 1
            return self.signer.jwks_document()

        @app.post("/sessions", status_code=201)
        async def create_session(body: SignIn, request: Request) -> Response:
            self.calls["sessions"] += 1
            self.sign_in_addresses.append(request.headers.get("x-forwarded-for"))
            if body.email != self.email or body.password != PASSWORD:
                return _problem(401, "Wrong email or password.")
            return JSONResponse(self.grant(), status_code=201)

        @app.post("/sessions/refresh")
        async def refresh(body: Refresh) -> Response:
            self.calls["refresh"] += 1
            await asyncio.sleep(self.refresh_delay)
            if body.refresh_token not in self.refresh_tokens:
                return _problem(401, "The refresh token is not valid.")
            self.refresh_tokens.discard(body.refresh_token)  # rotation: each works once
            return JSONResponse(self.grant())

        @app.post("/sessions/revoke", status_code=204)
        async def revoke(body: Refresh) -> Response:
            self.calls["revoke"] += 1
            self.refresh_tokens.discard(body.refresh_token)
            self.revoked.append(body.refresh_token)
            return Response(status_code=204)

        @app.get("/health/ready")
        async def ready() -> dict:
            return {"status": "ok", "checks": {}}

        return app


class Widget(BaseModel):
    id: int
    name: str


class WidgetPage(BaseModel):
    items: list[Widget]


@dataclass
class EchoService:
    """Answers with what it received; records every request it saw."""

    seen: list[dict[str, Any]] = field(default_factory=list)

    def by_request_id(self, request_id: str) -> list[dict[str, Any]]:
        return [s for s in self.seen if s["headers"].get("x-request-id") == request_id]

    def app(self) -> FastAPI:
        app = FastAPI(title="echo")

        def record(request: Request, body: bytes = b"") -> dict[str, Any]:
            entry = {
                "method": request.method,
                "path": request.url.path,
                "raw_path": request.scope["raw_path"].decode(),
                "query": request.scope["query_string"].decode(),
                "headers": {k.decode(): v.decode() for k, v in request.scope["headers"]},
                "header_list": [[k.decode(), v.decode()] for k, v in request.scope["headers"]],
                "body_length": len(body),
            }
            self.seen.append(entry)
            return entry

        @app.api_route(
            "/echo/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"],
            include_in_schema=False,
        )
        async def echo(request: Request, rest: str) -> Response:
            entry = record(request, await request.body())
            return JSONResponse(entry, headers={"x-upstream": "echo", "x-request-id": "upstream"})

        @app.post("/upload")
        async def upload(request: Request) -> dict:
            digest = hashlib.sha256()
            size = chunks = 0
            async for chunk in request.stream():
                digest.update(chunk)
                size += len(chunk)
                chunks += 1
            entry = record(request)
            return {"bytes": size, "sha256": digest.hexdigest(), "chunks": chunks,
                    "headers": entry["headers"]}

        @app.get("/download")
        async def download(size: int, chunk: int = 65536) -> StreamingResponse:
            async def body():
                sent = 0
                while sent < size:
                    n = min(chunk, size - sent)
                    yield download_bytes(sent, n)
                    sent += n

            return StreamingResponse(body(), media_type="application/octet-stream")

        @app.get("/slow")
        async def slow(seconds: float) -> dict:
            await asyncio.sleep(seconds)
            return {"slept": seconds}

        @app.get("/status/{code}")
        async def status(code: int) -> Response:
            return _problem(code, f"asked for {code}")

        @app.get("/widgets", response_model=WidgetPage, tags=["widgets"])
        async def widgets() -> WidgetPage:
            return WidgetPage(items=[Widget(id=1, name="one")])

        @app.get("/health/live")
        async def live() -> dict:
            return {"status": "ok"}

        @app.get("/health/ready")
        async def ready() -> dict:
            return {"status": "ok", "checks": {}}

        return app


def download_bytes(offset: int, length: int) -> bytes:
    """A deterministic byte pattern, so a test can check every byte arrived in order."""
    pattern = bytes(range(251))  # prime length: misplaced chunks do not line up
    start = offset % 251
    reps = (start + length) // 251 + 1
    return (pattern * reps)[start:start + length]
