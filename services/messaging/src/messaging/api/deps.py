"""messaging's dependencies, named for what they mean."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from messaging.use_cases import MessagingContext


async def messaging_context(request: Request) -> MessagingContext:
    return request.app.state.runtime.context


Context = Annotated[MessagingContext, Depends(messaging_context)]
