"""Identity's dependencies, named for what they mean.

All `async def`: FastAPI runs a plain `def` dependency in a worker thread,
a thread hop per request for what is only an attribute lookup.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from identity.use_cases import IdentityContext


async def identity_context(request: Request) -> IdentityContext:
    return request.app.state.runtime.context


async def client_address(request: Request) -> str:
    # The gateway is the only client services listen to; it forwards the
    # browser's address in X-Forwarded-For (rightmost hop it added).
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[-1].strip()[:64]
    return request.client.host if request.client else "unknown"


Identity = Annotated[IdentityContext, Depends(identity_context)]
ClientAddress = Annotated[str, Depends(client_address)]
