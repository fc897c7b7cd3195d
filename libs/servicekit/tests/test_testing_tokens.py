"""servicekit.testing.tokens: what the signer mints a verifier accepts; what it forges, a verifier refuses."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from servicekit.auth import StaffRole, TokenVerifier
from servicekit.clock import MovableClock
from servicekit.errors import Unauthenticated
from servicekit.testing.tokens import REFUSED_TOKENS, TestSigner, forgeries

ISSUER, AUDIENCE = "https://portal.test/identity", "portal-test"


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def signer(clock) -> TestSigner:
    return TestSigner(issuer=ISSUER, audience=AUDIENCE, clock=clock)


@pytest.fixture
def verifier(signer, clock) -> TokenVerifier:
    return TokenVerifier(signer.jwks, issuer=ISSUER, audience=AUDIENCE, clock=clock)


async def test_a_minted_token_names_the_user_and_roles(signer, verifier):
    user_id = uuid.uuid4()
    principal = await verifier.principal(signer.token(user_id, "s@cbp.example", roles=[StaffRole.SCSS]))
    assert (principal.user_id, principal.email, principal.roles) == (user_id, "s@cbp.example", {"scss"})
    assert signer.bearer(user_id)["Authorization"].startswith("Bearer ey")


async def test_a_minted_token_expires_by_the_clock(signer, verifier, clock):
    token = signer.token(lifetime=timedelta(minutes=1))
    await verifier.principal(token)
    clock.advance(timedelta(minutes=2))
    with pytest.raises(Unauthenticated):
        await verifier.principal(token)


@pytest.mark.parametrize("case", REFUSED_TOKENS)
async def test_every_refused_token_is_refused(signer, verifier, case):
    with pytest.raises(Unauthenticated):
        await verifier.principal(signer.refused_tokens()[case])


def test_forgeries_need_only_a_token_seen():
    other = TestSigner(issuer=ISSUER, audience=AUDIENCE)
    assert set(forgeries(other.token())) == set(REFUSED_TOKENS) - {
        "expired", "wrong audience", "wrong issuer", "refresh token", "unknown key", "no subject",
        "HS256 keyed with the public key"}
