"""ctpat's dependencies, named for what they mean (all async: no thread hop per request)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ctpat.domain.actors import Actor
from ctpat.use_cases import CtpatContext
from servicekit.deps import CurrentPrincipal


async def ctpat_context(request: Request) -> CtpatContext:
    return request.app.state.runtime.context


async def current_actor(principal: CurrentPrincipal) -> Actor:
    return Actor(principal.user_id, frozenset(principal.roles))


Context = Annotated[CtpatContext, Depends(ctpat_context)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
