"""Access-token verification against the identity service's JWKS, cached.

Every service and the gateway verify tokens locally: signature (algorithm
allow-list), `iss`, `aud`, `exp`, and `typ` = access. Keys are cached by `kid`;
an unknown `kid` triggers at most one refresh per `min_refresh_seconds`, so key
rotation is picked up without letting a stranger's tokens cause a fetch storm.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID

import httpx
import jwt
from jwt import PyJWK

from servicekit.clock import Clock, SystemClock
from servicekit.errors import Unauthenticated

ALLOWED_ALGORITHMS = ["EdDSA"]


class StaffRole(StrEnum):
    """The CBP staff roles a token carries; the one place their names are spelled."""

    SCSS = "scss"  # Supply Chain Security Specialist: assigned to Security Models
    MANAGEMENT = "management"  # C-TPAT Management: approvals, company names where no SCSS is assigned
    ADMIN = "admin"  # CBP Admin: creates staff, acts for the C-TPAT Helpdesk


STAFF_ROLES = frozenset(StaffRole)

JwksFetcher = Callable[[], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a verified token's subject and CBP staff roles."""

    user_id: UUID
    email: str
    roles: frozenset[str] = field(default_factory=frozenset)
    token_id: str = ""
    session_id: str = ""
    password_expired: bool = False
    # The C-TPAT Helpdesk cleared the security questions: new ones come first (like an expired password).
    security_questions_required: bool = False

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    def has_role(self, role: StaffRole) -> bool:
        return role in self.roles


def http_jwks_fetcher(url: str, *, timeout: float = 5.0) -> JwksFetcher:
    async def fetch() -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.get(url)
            response.raise_for_status()
            return response.json()

    return fetch


class TokenVerifier:
    def __init__(
        self,
        fetch_jwks: JwksFetcher,
        *,
        issuer: str,
        audience: str,
        clock: Clock | None = None,
        min_refresh_seconds: float = 10.0,
        leeway_seconds: int = 5,
    ) -> None:
        self._fetch_jwks = fetch_jwks
        self._issuer = issuer
        self._audience = audience
        self._clock = clock or SystemClock()
        self._min_refresh = min_refresh_seconds
        self._leeway = leeway_seconds
        self._keys: dict[str, Any] = {}
        self._last_refresh = float("-inf")
        self._lock = asyncio.Lock()
        # Each token's signature is checked once: its bytes never change, so neither does what the signature
        # proves; its times are checked against the clock at every use. Half of a request's verification was the
        # signature and PyJWT's parsing (about 0.3 ms in documents' profile), paid again by every request of a
        # client holding the same token for its minutes. Bounded (oldest out first); emptied when the keys change.
        self._verified: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()

    async def _refresh(self, *, force: bool = False) -> None:
        async with self._lock:
            if not force and time.monotonic() - self._last_refresh < self._min_refresh:
                return
            try:
                document = await self._fetch_jwks()
            except Exception:
                # Keep the keys we have; the next unknown kid may retry after the interval.
                self._last_refresh = time.monotonic()
                return
            self.learn(document)

    def learn(self, document: dict[str, Any]) -> None:
        """The keys of a JWKS document, told by the process that holds them (identity, after loading its
        own keyring): a token signed with a key just rotated in verifies at once, not after the interval
        that guards against unknown-kid floods."""
        keys = {}
        for jwk in document.get("keys", []):
            try:
                keys[jwk["kid"]] = PyJWK.from_dict(jwk).key
            except (KeyError, jwt.PyJWTError, ValueError):
                continue
        if keys.keys() != self._keys.keys():
            self._verified.clear()
        self._keys = keys
        self._last_refresh = time.monotonic()

    async def _key_for(self, kid: str) -> Any:
        if kid not in self._keys:
            await self._refresh()
        try:
            return self._keys[kid]
        except KeyError:
            raise Unauthenticated("The token was signed by an unknown key.") from None

    VERIFIED_TOKENS_KEPT = 10_000

    async def verify(self, token: str, *, token_type: str = "access") -> dict[str, Any]:
        verified = self._verified.get((token, token_type))
        if verified is not None:
            check_times(verified, now=self._clock.now().timestamp(), leeway=self._leeway)
            return dict(verified)
        claims = await self._verify_signed(token, token_type)
        self._verified[(token, token_type)] = claims
        if len(self._verified) > self.VERIFIED_TOKENS_KEPT:
            self._verified.popitem(last=False)
        return dict(claims)

    async def _verify_signed(self, token: str, token_type: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("The token is malformed.") from None
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise Unauthenticated("The token's algorithm is not allowed.")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Unauthenticated("The token names no key.")
        key = await self._key_for(kid)
        return decode_verified(
            token, key, issuer=self._issuer, audience=self._audience,
            now=self._clock.now().timestamp(), leeway=self._leeway, token_type=token_type,
        )

    async def principal(self, token: str) -> Principal:
        return principal_from_claims(await self.verify(token))


def decode_verified(
    token: str, key: Any, *, issuer: str, audience: str, now: float, leeway: int, token_type: str
) -> dict[str, Any]:
    try:
        claims = jwt.decode(
            token, key, algorithms=ALLOWED_ALGORITHMS, audience=audience, issuer=issuer,
            # Times are checked below against the injectable clock, not the wall clock.
            options={
                "require": ["exp", "iat", "iss", "aud", "sub", "jti"],
                "verify_exp": False, "verify_iat": False, "verify_nbf": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"The token is not valid: {exc}.") from None
    check_times(claims, now=now, leeway=leeway)
    if claims.get("typ") != token_type:
        raise Unauthenticated(f"An {token_type} token is required.")
    return claims


def check_times(claims: dict[str, Any], *, now: float, leeway: int) -> None:
    if float(claims["exp"]) + leeway < now:
        raise Unauthenticated("The token has expired.")
    if float(claims["iat"]) - leeway > now:
        raise Unauthenticated("The token is not valid yet.")


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    try:
        return Principal(
            user_id=UUID(claims["sub"]),
            email=str(claims.get("email", "")),
            roles=frozenset(claims.get("roles", [])),
            token_id=str(claims["jti"]),
            session_id=str(claims.get("sid", "")),
            password_expired=bool(claims.get("pwd_expired", False)),
            security_questions_required=bool(claims.get("sq_required", False)),
        )
    except (KeyError, ValueError, TypeError):
        raise Unauthenticated("The token's subject is malformed.") from None


def principal_header_value(principal: Principal) -> str:
    """A compact form the gateway logs and forwards for tracing (never trusted as proof)."""
    return json.dumps({"sub": str(principal.user_id), "roles": sorted(principal.roles)})
