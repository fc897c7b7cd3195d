"""Who is calling: a bearer token verified locally, remembered until it expires.

Verifying an Ed25519 signature costs more than the rest of a proxied request,
and a client sends the same access token many times, so a verified token is
kept (bounded, oldest forgotten first) until its `exp`. Only successes are
kept; a token's claims cannot change, and `exp` is re-checked on every use
against the injectable clock. One consequence, accepted because access tokens
live minutes: a token stays accepted here until it expires even if identity
withdraws its signing key sooner (every service still verifies it itself).
"""

from __future__ import annotations

from dataclasses import dataclass

from servicekit.auth import Principal, TokenVerifier, principal_from_claims, principal_header_value
from servicekit.clock import Clock


@dataclass(frozen=True, slots=True)
class Caller:
    principal: Principal
    # The `x-portal-user` value forwarded for tracing and logs (never proof).
    header_value: bytes
    expires_at: float
    # The caller's own rate-limit bucket.
    rate_limit_key: str


class CallerVerifier:
    def __init__(
        self,
        verifier: TokenVerifier,
        clock: Clock,
        *,
        leeway_seconds: int = 5,
        max_entries: int = 4096,
    ) -> None:
        self._verifier = verifier
        self._clock = clock
        self._leeway = leeway_seconds
        self._max_entries = max_entries
        self._verified: dict[str, Caller] = {}

    async def caller(self, token: str) -> Caller:
        """The verified caller, or `Unauthenticated` (servicekit) if the token is not good."""
        known = self._verified.get(token)
        if known is not None:
            if known.expires_at + self._leeway >= self._clock.now().timestamp():
                return known
            del self._verified[token]
        claims = await self._verifier.verify(token)
        principal = principal_from_claims(claims)
        caller = Caller(
            principal=principal,
            header_value=principal_header_value(principal).encode(),
            expires_at=float(claims["exp"]),
            rate_limit_key=f"user:{principal.user_id}",
        )
        if len(self._verified) >= self._max_entries:
            del self._verified[next(iter(self._verified))]
        self._verified[token] = caller
        return caller

    async def claims(self, token: str) -> dict:
        """The full verified claims (not cached): for sign-in and refresh, which are rare."""
        return await self._verifier.verify(token)
