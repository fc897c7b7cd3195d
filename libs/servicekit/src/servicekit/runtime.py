"""What a service process is wired from, built once at bootstrap and passed in (never at import)."""

from __future__ import annotations

from dataclasses import dataclass

from servicekit.auth import TokenVerifier
from servicekit.clock import Clock
from servicekit.db import Database
from servicekit.outbox import Outbox


@dataclass
class Runtime:
    service_name: str
    database: Database
    clock: Clock
    outbox: Outbox
    token_verifier: TokenVerifier
