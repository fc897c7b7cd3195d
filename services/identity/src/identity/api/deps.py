"""Identity's dependencies, named for what they mean."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from identity.use_cases import IdentityContext


def identity_context(request: Request) -> IdentityContext:
    return request.app.state.identity


def client_address(request: Request) -> str:
    # The gateway is the only client services listen to; it forwards the
    # browser's address in X-Forwarded-For (rightmost hop it added).
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[-1].strip()[:64]
    return request.client.host if request.client else "unknown"


Identity = Annotated[IdentityContext, Depends(identity_context)]
ClientAddress = Annotated[str, Depends(client_address)]
