"""Trade-accounts' dependencies, named for what they mean (all async: no thread hop per request)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from servicekit.deps import CurrentPrincipal
from trade_accounts.domain.actors import Actor
from trade_accounts.use_cases import TradeAccountsContext


async def trade_accounts_context(request: Request) -> TradeAccountsContext:
    return request.app.state.runtime.context


async def current_actor(principal: CurrentPrincipal) -> Actor:
    return Actor(principal.user_id, frozenset(principal.roles))


Context = Annotated[TradeAccountsContext, Depends(trade_accounts_context)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
