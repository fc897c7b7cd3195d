"""Token verification: signature, algorithm allow-list, iss, aud, exp against the clock, key rotation."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from servicekit.auth import TokenVerifier
from servicekit.clock import MovableClock
from servicekit.errors import Unauthenticated

ISS, AUD = "https://issuer.test", "portal-test"
T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


class KeyServer:
    """A JWKS document the verifier fetches, counting fetches."""

    def __init__(self) -> None:
        self.keys: dict[str, Ed25519PrivateKey] = {}
        self.fetches = 0

    def add_key(self) -> str:
        kid = uuid.uuid4().hex
        self.keys[kid] = Ed25519PrivateKey.generate()
        return kid

    async def fetch(self) -> dict:
        self.fetches += 1
        docs = []
        for kid, key in self.keys.items():
            jwk = json.loads(OKPAlgorithm.to_jwk(key.public_key()))
            docs.append({**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"})
        return {"keys": docs}

    def token(self, kid: str, **overrides) -> str:
        claims = {
            "iss": ISS, "aud": AUD, "sub": str(uuid.uuid4()), "email": "a@example.com", "roles": [],
            "jti": uuid.uuid4().hex, "sid": str(uuid.uuid4()), "typ": "access",
            "iat": int(T0.timestamp()), "exp": int((T0 + timedelta(minutes=5)).timestamp()),
        }
        claims.update(overrides)
        return jwt.encode(claims, self.keys[kid], algorithm="EdDSA", headers={"kid": kid})


@pytest.fixture
def keys() -> KeyServer:
    return KeyServer()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(T0)


def verifier(keys: KeyServer, clock: MovableClock) -> TokenVerifier:
    return TokenVerifier(keys.fetch, issuer=ISS, audience=AUD, clock=clock, min_refresh_seconds=60)


async def test_a_good_token_gives_its_principal(keys, clock):
    kid = keys.add_key()
    principal = await verifier(keys, clock).principal(keys.token(kid, roles=["scss"]))
    assert principal.email == "a@example.com" and principal.roles == {"scss"}


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"iss": "https://evil.test"}, "issuer"),
        ({"aud": "other-app"}, "audience"),
        ({"typ": "refresh"}, "access token"),
    ],
)
async def test_wrong_issuer_audience_or_type_is_refused(keys, clock, overrides, reason):
    kid = keys.add_key()
    with pytest.raises(Unauthenticated):
        await verifier(keys, clock).verify(keys.token(kid, **overrides))


async def test_expiry_follows_the_injected_clock(keys, clock):
    kid = keys.add_key()
    v = verifier(keys, clock)
    token = keys.token(kid)
    await v.verify(token)
    clock.advance(timedelta(minutes=5, seconds=6))
    with pytest.raises(Unauthenticated, match="expired"):
        await v.verify(token)


async def test_only_allowed_algorithms_are_accepted(keys, clock):
    kid = keys.add_key()
    claims = jwt.decode(keys.token(kid), options={"verify_signature": False})
    forged = jwt.encode(claims, "a-guessed-shared-secret-of-32-bytes!", algorithm="HS256", headers={"kid": kid})
    with pytest.raises(Unauthenticated, match="algorithm"):
        await verifier(keys, clock).verify(forged)
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": kid})
    with pytest.raises(Unauthenticated):
        await verifier(keys, clock).verify(unsigned)


async def test_a_new_key_is_fetched_once_and_unknown_kids_cannot_cause_a_fetch_storm(keys, clock):
    first = keys.add_key()
    v = verifier(keys, clock)
    await v.verify(keys.token(first))
    assert keys.fetches == 1
    for _ in range(20):
        with pytest.raises(Unauthenticated, match="unknown key"):
            stranger = jwt.encode({"sub": "x"}, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": "made-up"})
            await v.verify(stranger)
    assert keys.fetches <= 2  # at most one refresh per interval, however many strangers try


async def test_a_tokens_signature_is_checked_once_and_its_times_at_every_use(keys, clock, monkeypatch):
    kid = keys.add_key()
    v = verifier(keys, clock)
    token = keys.token(kid)
    decoded = []
    real_decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: decoded.append(1) or real_decode(*a, **k))
    first = await v.verify(token)
    first["sub"] = "changed by a caller"  # what one caller does to its claims reaches no other
    assert (await v.verify(token))["sub"] != "changed by a caller"
    assert len(decoded) == 1
    # A refresh token is another question about the same bytes: checked, and refused.
    with pytest.raises(Unauthenticated, match="access token|refresh token"):
        await v.verify(token, token_type="refresh")
    # A forged token never becomes known: each attempt is checked again, and refused.
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for _ in range(2):
        with pytest.raises(Unauthenticated, match="not valid"):
            await v.verify(forged)
    clock.advance(timedelta(minutes=5, seconds=6))
    with pytest.raises(Unauthenticated, match="expired"):
        await v.verify(token)
