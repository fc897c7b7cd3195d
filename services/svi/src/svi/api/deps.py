"""svi's dependencies, named for what they mean (all async: no thread hop per request)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from svi.use_cases import SviContext


async def svi_context(request: Request) -> SviContext:
    return request.app.state.runtime.context


Context = Annotated[SviContext, Depends(svi_context)]
