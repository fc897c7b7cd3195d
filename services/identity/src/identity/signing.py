"""Signing keys (Ed25519, EdDSA) and the tokens identity issues.

Access tokens are short-lived JWTs every service verifies locally against the
JWKS. Refresh tokens are opaque random strings, stored only as a SHA-256 hash,
rotated on every use. Keys rotate: the new key signs at once, the old one
stays in the JWKS until every token it signed has expired.

The private keys sit in identity's own database here; a production deployment
keeps them in a secret store or KMS (the KeyRing is the seam for that).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from identity.domain.user import User
from identity.repository import SigningKey, SigningKeyRepository


def new_signing_key(now: datetime) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    kid = uuid.uuid4().hex
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    jwk = json.loads(OKPAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": kid, "use": "sig", "alg": "EdDSA"})
    return SigningKey(kid, pem, jwk, now, True, None)


def opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class KeyRing:
    """The process's view of the signing keys, reloaded from the database on demand."""

    def __init__(self) -> None:
        self._active_kid: str | None = None
        self._private: dict[str, Any] = {}
        self._jwks: dict[str, Any] = {"keys": []}

    def load(self, keys: list[SigningKey]) -> None:
        active = next((k for k in keys if k.active), None)
        self._private = {
            k.kid: serialization.load_pem_private_key(k.private_pem.encode(), password=None) for k in keys
        }
        self._active_kid = active.kid if active else None
        self._jwks = {"keys": [k.public_jwk for k in keys]}

    @property
    def jwks(self) -> dict[str, Any]:
        return self._jwks

    def public_key(self, kid: str) -> Any:
        private = self._private.get(kid)
        return private.public_key() if private else None

    def sign(self, claims: dict[str, Any]) -> str:
        if self._active_kid is None:
            raise RuntimeError("no active signing key; run `identity migrate` first")
        return jwt.encode(
            claims, self._private[self._active_kid], algorithm="EdDSA", headers={"kid": self._active_kid}
        )


async def ensure_active_key(repo: SigningKeyRepository, now: datetime) -> list[SigningKey]:
    await repo.lock()
    keys = await repo.published(now)
    if not any(k.active for k in keys):
        await repo.add_active(new_signing_key(now))
        keys = await repo.published(now)
    return keys


async def rotate_keys(repo: SigningKeyRepository, now: datetime, retire_after: timedelta) -> str:
    """A new key signs from now on; the old ones are published until their tokens expire."""
    await repo.lock()
    key = new_signing_key(now)
    await repo.add_active(key)
    await repo.retire_inactive(now + retire_after)
    return key.kid


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    password_expired: bool
    security_questions_required: bool = False


class TokenIssuer:
    def __init__(self, keyring: KeyRing, *, issuer: str, audience: str, access_ttl: timedelta) -> None:
        self.keyring = keyring
        self.issuer = issuer
        self.audience = audience
        self.access_ttl = access_ttl

    def access_token(
        self, user: User, session_id: uuid.UUID, now: datetime, *, password_expired: bool
    ) -> str:
        """`pwd_expired` and `sq_required` leave the holder nothing but mending them (servicekit.deps)."""
        return self.keyring.sign({
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(user.id),
            "email": user.email,
            "roles": list(user.roles),
            "sid": str(session_id),
            "jti": uuid.uuid4().hex,
            "typ": "access",
            "pwd_expired": password_expired,
            "sq_required": user.security_questions_required,
            "iat": int(now.timestamp()),
            "exp": int((now + self.access_ttl).timestamp()),
        })
