"""What a service process is wired from, built once at bootstrap and passed in (never at import).

Every service builds it the same way (`<service>.app.build_runtime(settings)`),
then `create_app(settings, runtime)` for its API process and
`build_worker(settings, runtime)` for its worker. The runtime is the one thing
on `app.state`; `context` is the service's own use-case context (clock,
policies, ports), built from the runtime.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from servicekit.auth import TokenVerifier
from servicekit.clock import Clock
from servicekit.db import Database
from servicekit.settings import ServiceSettings

C = TypeVar("C")


@dataclass
class Runtime(Generic[C]):
    settings: ServiceSettings
    database: Database
    clock: Clock
    token_verifier: TokenVerifier
    context: C = None  # type: ignore[assignment]

    @property
    def service_name(self) -> str:
        return self.settings.service_name
