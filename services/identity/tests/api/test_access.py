"""Every protected endpoint refuses strangers (401): no token, and every token a stranger could make."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from servicekit.testing.tokens import forgeries

PROTECTED = [
    ("GET", "/me"),
    ("GET", "/me/security-questions"),
    ("PUT", "/me/profile"),
    ("POST", "/me/password"),
    ("PUT", "/me/security-questions"),
    ("POST", "/me/email"),
    ("DELETE", "/sessions/current"),
    ("DELETE", "/sessions"),
    ("POST", "/helpdesk/actions"),
    ("GET", "/helpdesk/actions"),
    ("PUT", "/me/new-security-questions"),
]


async def published_public_key(client, token: str) -> bytes:
    """The raw public key identity's JWKS publishes for the token's kid (what an HS256 confusion would use)."""
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in (await client.get("/.well-known/jwks.json")).json()["keys"] if k["kid"] == kid)
    return jwt.utils.base64url_decode(jwk["x"])


@pytest.mark.parametrize(("method", "path"), PROTECTED)
async def test_protected_endpoints_refuse_anonymous_and_forged_tokens(api, client, method, path):
    _, tokens = await api.new_user()
    anonymous = await client.request(method, path, json={})
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.headers["content-type"] == "application/problem+json"
    public_key = await published_public_key(client, tokens["access_token"])
    for name, token in forgeries(tokens["access_token"], public_key=public_key).items():
        response = await client.request(method, path, json={}, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (name, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    # and the real user is untouched by all of that
    assert (await client.get("/me", headers=api.bearer(tokens))).status_code == 200


async def test_a_token_expires_by_the_clock(api, client, clock):
    _, tokens = await api.new_user()
    clock.advance(timedelta(minutes=10))
    assert (await client.get("/me", headers=api.bearer(tokens))).status_code == 401
