"""Access tokens for tests: a signer the service's verifier trusts, and the tokens it must refuse.

Identity signs the real tokens; a service's unit and API tests (and the
gateway's) stand in for it with a `TestSigner`:

    signer = TestSigner(issuer=settings.jwt_issuer, audience=settings.jwt_audience, clock=clock)
    verifier = TokenVerifier(signer.jwks, issuer=..., audience=..., clock=clock)  # the JWKS stand-in
    headers = signer.bearer(user_id, "ana@example.com", roles=[StaffRole.SCSS])

`signer.refused_tokens()` and `forgeries(token)` are the 401 cases: what a
stranger can make without the key, and what the key signed but is still wrong.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwt.algorithms import OKPAlgorithm

from servicekit.auth import StaffRole
from servicekit.clock import Clock, SystemClock

# The names of `TestSigner.refused_tokens()`, for parametrising at collection time.
REFUSED_TOKENS = (
    "malformed", "opaque string", "alg none", "HS256 with a guessed secret", "stranger's key, same kid",
    "tampered roles", "expired, stranger's key", "HS256 keyed with the public key",
    "expired", "wrong audience", "wrong issuer", "refresh token", "unknown key", "no subject",
)


class TestSigner:
    """An Ed25519 key with a `kid`, signing access tokens as identity does; its JWKS is the verifier's."""

    __test__ = False  # a helper, not a test class, though its name starts with "Test"

    def __init__(
        self, *, issuer: str, audience: str, clock: Clock | None = None, kid: str | None = None,
        lifetime: timedelta = timedelta(minutes=5),
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.clock = clock or SystemClock()
        self.kid = kid or f"test-{secrets.token_hex(6)}"
        self.lifetime = lifetime
        self._key = Ed25519PrivateKey.generate()

    # --- the JWKS stand-in --------------------------------------------------------------

    def jwk(self) -> dict[str, Any]:
        public = OKPAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "alg": "EdDSA", "use": "sig"}

    def jwks_document(self) -> dict[str, Any]:
        """What identity's `/.well-known/jwks.json` answers (for a fake identity server)."""
        return {"keys": [self.jwk()]}

    async def jwks(self) -> dict[str, Any]:
        """A `JwksFetcher`: pass it to `TokenVerifier` instead of `http_jwks_fetcher(url)`."""
        return self.jwks_document()

    def public_bytes(self) -> bytes:
        return self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    # --- minting ------------------------------------------------------------------------

    def claims(
        self, user_id: uuid.UUID | None = None, email: str = "trader@example.com",
        roles: Iterable[StaffRole | str] = (), *, lifetime: timedelta | None = None, **overrides: Any,
    ) -> dict[str, Any]:
        """An access token's claims, times from the clock the verifier reads (tests move it)."""
        now = self.clock.now()
        claims = {
            "iss": self.issuer, "aud": self.audience, "sub": str(user_id or uuid.uuid4()), "email": email,
            "roles": [str(r) for r in roles], "jti": uuid.uuid4().hex, "sid": str(uuid.uuid4()), "typ": "access",
            "pwd_expired": False, "iat": int(now.timestamp()),
            "exp": int((now + (self.lifetime if lifetime is None else lifetime)).timestamp()),
        }
        claims.update(overrides)
        return claims

    def sign(self, claims: dict[str, Any], *, kid: str | None = None) -> str:
        return jwt.encode(claims, self._key, algorithm="EdDSA", headers={"kid": kid or self.kid})

    def token(
        self, user_id: uuid.UUID | None = None, email: str = "trader@example.com",
        roles: Iterable[StaffRole | str] = (), **claims: Any,
    ) -> str:
        """A valid access token; `lifetime=timedelta(...)` or any claim (`pwd_expired=True`) overrides."""
        return self.sign(self.claims(user_id, email, roles, **claims))

    def bearer(self, *args: Any, **kwargs: Any) -> dict[str, str]:
        """`Authorization` headers carrying `token(*args, **kwargs)`."""
        return {"Authorization": f"Bearer {self.token(*args, **kwargs)}"}

    def expired_token(self, user_id: uuid.UUID | None = None, email: str = "trader@example.com") -> str:
        """Signed by the right key, expired a minute ago (beyond the verifier's leeway)."""
        return self.token(user_id, email, lifetime=timedelta(minutes=-1))

    # --- what a verifier must refuse ----------------------------------------------------

    def refused_tokens(self, user_id: uuid.UUID | None = None, email: str = "trader@example.com") -> dict[str, str]:
        """Every token a verifier must answer with 401, by name (the names are `REFUSED_TOKENS`)."""
        claims = self.claims(user_id, email)
        refused = {
            **forgeries(self.sign(claims), public_key=self.public_bytes()),
            "expired": self.expired_token(user_id, email),
            "wrong audience": self.sign({**claims, "aud": "someone-else"}),
            "wrong issuer": self.sign({**claims, "iss": "https://evil.example"}),
            "refresh token": self.sign({**claims, "typ": "refresh"}),
            "unknown key": self.sign(claims, kid="no-such-kid"),
            "no subject": self.sign({k: v for k, v in claims.items() if k != "sub"}),
        }
        assert set(refused) == set(REFUSED_TOKENS)
        return refused


def forgeries(token: str, *, public_key: bytes | None = None) -> dict[str, str]:
    """Tokens a stranger can make from one they have seen, without the signing key.

    `public_key` (the raw public key, which the JWKS publishes) adds the algorithm
    confusion attack: HS256 keyed with it.
    """
    claims = jwt.decode(token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(token)["kid"]
    stranger = Ed25519PrivateKey.generate()
    header, _, signature = token.split(".")
    payload = jwt.utils.base64url_encode(json.dumps({**claims, "roles": [str(r) for r in StaffRole]}).encode())
    expired = {**claims, "exp": int(claims["iat"]) - 3600}
    made = {
        "malformed": "not.a.token",
        "opaque string": str(uuid.uuid4()),  # e.g. a refresh token sent as a bearer
        "alg none": jwt.encode(claims, key=None, algorithm="none", headers={"kid": kid}),
        "HS256 with a guessed secret": jwt.encode(
            claims, "a-guessed-shared-secret-of-32-bytes!", algorithm="HS256", headers={"kid": kid}),
        "stranger's key, same kid": jwt.encode(claims, stranger, algorithm="EdDSA", headers={"kid": kid}),
        "tampered roles": f"{header}.{payload.decode()}.{signature}",
        "expired, stranger's key": jwt.encode(expired, stranger, algorithm="EdDSA", headers={"kid": kid}),
    }
    if public_key is not None:
        # Algorithm confusion: an HMAC keyed with what the JWKS publishes.
        made["HS256 keyed with the public key"] = jwt.encode(
            claims, public_key, algorithm="HS256", headers={"kid": kid})
    return made

