"""Every protected endpoint refuses strangers (401), and no input makes any endpoint fail with a 500 (PL-07)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PROTECTED = [
    ("GET", "/me"),
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


def forged_tokens(identity_settings, real_token: str) -> dict[str, str]:
    """Tokens a stranger could make: unsigned, signed by their own key, for another audience, expired."""
    claims = jwt.decode(real_token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(real_token)["kid"]
    stranger = Ed25519PrivateKey.generate()
    now = datetime.now(UTC)
    return {
        "none-algorithm": jwt.encode(claims, key=None, algorithm="none"),
        "stranger-key-same-kid": jwt.encode(claims, stranger, algorithm="EdDSA", headers={"kid": kid}),
        "hs256-with-public-info": jwt.encode(claims, "a-guessed-shared-secret-of-32-bytes!", algorithm="HS256", headers={"kid": kid}),
        "garbage": "not.a.token",
        "refresh-token-as-bearer": str(uuid.uuid4()),
        "tampered-roles": real_token.rsplit(".", 2)[0] + "." + jwt.utils.base64url_encode(
            json.dumps({**claims, "roles": ["admin"]}).encode()).decode() + "." + real_token.rsplit(".", 1)[1],
        "expired": jwt.encode({**claims, "exp": int((now - timedelta(hours=1)).timestamp())}, stranger, algorithm="EdDSA", headers={"kid": kid}),
    }


@pytest.mark.parametrize(("method", "path"), PROTECTED)
async def test_protected_endpoints_refuse_anonymous_and_forged_tokens(api, client, identity_settings, method, path):
    _, tokens = await api.new_user()
    anonymous = await client.request(method, path, json={})
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.headers["content-type"] == "application/problem+json"
    for name, token in forged_tokens(identity_settings, tokens["access_token"]).items():
        response = await client.request(method, path, json={}, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (name, response.text)
    # and the real user is untouched by all of that
    assert (await client.get("/me", headers=api.bearer(tokens))).status_code == 200


async def test_a_token_expires_by_the_clock(api, client, clock):
    _, tokens = await api.new_user()
    clock.advance(timedelta(minutes=10))
    assert (await client.get("/me", headers=api.bearer(tokens))).status_code == 401


JUNK_BODIES = [
    b"",
    b"null",
    b"[]",
    b"\"text\"",
    b"{\"email\": {\"$ne\": null}}",
    b"{\"email\": \"a@b.c\", \"password\": null}",
    json.dumps({"email": "x" * 10_000 + "@example.com", "password": "p" * 10_000}).encode(),
    b"\xff\xfe\x00garbage",
    json.dumps({"security_questions": [{"question_id": -1, "answer": None}]}).encode(),
]


@pytest.mark.req("PL-07")
async def test_no_junk_input_to_any_endpoint_gives_a_500(api, client, app):
    _, tokens = await api.new_user()
    for route in app.routes:
        for method in getattr(route, "methods", set()) - {"HEAD", "OPTIONS"}:
            path = route.path.replace("{token}", "%00%27;drop table users;--")
            for body in JUNK_BODIES:
                for headers in ({}, api.bearer(tokens)):
                    response = await client.request(
                        method, path, content=body, headers={**headers, "content-type": "application/json"}
                    )
                    assert response.status_code < 500, (method, path, body[:40], response.text[:200])
                    if response.status_code >= 400:
                        assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get("/me", headers=api.bearer(tokens))).status_code == 200
