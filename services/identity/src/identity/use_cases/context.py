"""What identity's use cases need besides the session; built once at bootstrap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from identity.domain.credential_throttle import ThrottlePolicy
from identity.domain.password_policy import PasswordPolicy
from identity.domain.user import SecretHasher
from identity.signing import TokenIssuer
from servicekit.clock import Clock
from servicekit.db import Database


@dataclass
class IdentityContext:
    database: Database
    clock: Clock
    hasher: SecretHasher
    password_policy: PasswordPolicy
    throttle_policy: ThrottlePolicy
    issuer: TokenIssuer
    refresh_ttl: timedelta
    reset_ttl: timedelta
    public_url: str
