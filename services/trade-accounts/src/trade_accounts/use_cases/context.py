"""What trade-accounts' use cases need besides the session; built once at bootstrap."""

from __future__ import annotations

from dataclasses import dataclass

from servicekit.clock import Clock


@dataclass
class TradeAccountsContext:
    clock: Clock
    # Where people open the links mail carries (the web client behind the gateway).
    public_url: str = "http://127.0.0.1:8080"
