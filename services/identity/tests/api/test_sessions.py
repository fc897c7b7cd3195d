"""Sign-in, rotating refresh tokens, sign-out (ID-10 tokens) and throttling (ID-12)."""

from __future__ import annotations

import httpx
import pytest

from servicekit.auth import TokenVerifier


@pytest.mark.req("ID-10")
async def test_sign_in_gives_a_short_lived_access_token_any_service_can_verify(api, client, identity_settings, clock):
    email, tokens = await api.new_user()
    assert 0 < tokens["expires_in"] <= 15 * 60

    async def fetch_jwks() -> dict:
        return (await client.get("/.well-known/jwks.json")).json()

    # Another service verifies with nothing but the public JWKS.
    verifier = TokenVerifier(fetch_jwks, issuer=identity_settings.jwt_issuer, audience=identity_settings.jwt_audience, clock=clock)
    principal = await verifier.principal(tokens["access_token"])
    assert principal.email == email and not principal.is_staff


async def test_refresh_tokens_rotate_and_a_reused_one_closes_the_session(api, client):
    _, tokens = await api.new_user()
    first = await client.post("/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    reuse = await client.post("/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert reuse.status_code == 401
    # reuse detection revoked the whole family, the rotated token included
    after = await client.post("/sessions/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert after.status_code == 401


async def test_sign_out_revokes_the_refresh_token(api, client):
    _, tokens = await api.new_user()
    assert (await client.post("/sessions/revoke", json={"refresh_token": tokens["refresh_token"]})).status_code == 204
    assert (await client.post("/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})).status_code == 401


async def test_unknown_email_and_wrong_password_get_the_same_answer(api, client):
    email, _ = await api.new_user()
    unknown = await client.post("/sessions", json={"email": api.new_email(), "password": api.password})
    wrong = await client.post("/sessions", json={"email": email, "password": "Not#The1Password"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["detail"] == wrong.json()["detail"]


def _client_from(app, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 1234)), base_url="http://identity")


@pytest.mark.req("ID-12")
async def test_failed_sign_ins_are_throttled_then_locked_per_account_and_address(api, app, clock):
    from datetime import timedelta

    email, _ = await api.new_user()
    bad = {"email": email, "password": "Wrong#Guess1"}
    async with _client_from(app, "198.51.100.7") as attacker, _client_from(app, "198.51.100.8") as owner:
        statuses = []
        for _ in range(3):
            statuses.append((await attacker.post("/sessions", json=bad)).status_code)
        assert statuses == [401, 401, 401]
        throttled = await attacker.post("/sessions", json=bad)
        assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1
        # even the right password waits while throttled
        assert (await attacker.post("/sessions", json={**bad, "password": api.password})).status_code == 429
        for _ in range(3):
            clock.advance(timedelta(seconds=61))
            assert (await attacker.post("/sessions", json=bad)).status_code == 401
        locked = await attacker.post("/sessions", json={**bad, "password": api.password})
        assert locked.status_code == 423
        # the lock is for this account at this address: the owner elsewhere signs in
        assert (await owner.post("/sessions", json={"email": email, "password": api.password})).status_code == 201
        clock.advance(timedelta(minutes=16))
        assert (await attacker.post("/sessions", json={**bad, "password": api.password})).status_code == 201


async def test_the_token_binds_no_organisation_role_so_one_user_holds_many(api, client):
    """Roles in an organisation live with the service that owns it (trade-accounts, ctpat), not in the token.

    One access token carries who the user is and CBP staff roles only, so the same
    sign-in serves a Company Administrator of one Trade Account who is a plain
    User of another, at the same time, and a membership change needs no new token.
    """
    import jwt

    _, tokens = await api.new_user()
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert set(claims) == {
        "iss", "aud", "sub", "email", "roles", "sid", "jti", "typ", "pwd_expired", "sq_required", "iat", "exp"
    }
    assert claims["roles"] == []  # a trade user: no staff role, and no organisation anywhere
