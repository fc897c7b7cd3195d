"""Bearer tokens are verified at the gateway: a bad one is refused there and never forwarded."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from servicekit.auth import Principal, StaffRole, principal_header_value
from servicekit.testing.tokens import REFUSED_TOKENS


def _bearer(token: str, rid: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", "x-request-id": rid}


@pytest.mark.parametrize("case", REFUSED_TOKENS)
async def test_bad_token_is_401_and_not_forwarded(gateway, echo_service, signer, case):
    rid = uuid.uuid4().hex
    token = signer.refused_tokens()[case]
    response = await gateway.get("/api/echo/echo/secret", headers=_bearer(token, rid))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert echo_service.by_request_id(rid) == []


async def test_valid_token_goes_on_with_the_verified_identity(gateway, echo_service, signer):
    user_id = uuid.uuid4()
    token = signer.token(user_id, roles=[StaffRole.SCSS, StaffRole.ADMIN])
    rid = uuid.uuid4().hex
    headers = {**_bearer(token, rid), "x-portal-user": json.dumps({"sub": "forged"})}
    response = await gateway.get("/api/echo/echo/mine", headers=headers)
    assert response.status_code == 200
    seen = echo_service.by_request_id(rid)[0]
    assert seen["headers"]["authorization"] == f"Bearer {token}"  # services verify it too
    expected = principal_header_value(Principal(user_id=user_id, email="", roles=frozenset(
        {"scss", "admin"})))
    assert [v for k, v in seen["header_list"] if k == "x-portal-user"] == [expected]


async def test_same_token_twice_is_still_checked_for_expiry(gateway, clock, signer):
    token = signer.token(lifetime=timedelta(seconds=60))
    assert (await gateway.get("/api/echo/echo/a", headers=_bearer(token, "a"))).status_code == 200
    clock.advance(timedelta(seconds=120))
    assert (await gateway.get("/api/echo/echo/a", headers=_bearer(token, "b"))).status_code == 401


async def test_other_authorization_schemes_pass_untouched(gateway, echo_service):
    rid = uuid.uuid4().hex
    await gateway.get("/api/echo/echo/basic",
                      headers={"authorization": "Basic dXNlcjpwYXNz", "x-request-id": rid})
    seen = echo_service.by_request_id(rid)[0]["headers"]
    assert seen["authorization"] == "Basic dXNlcjpwYXNz"
    assert "x-portal-user" not in seen


async def test_no_token_goes_on_anonymously(gateway, echo_service):
    rid = uuid.uuid4().hex
    response = await gateway.post("/api/echo/echo/register", json={"email": "a@b.c"},
                                  headers={"x-request-id": rid})
    assert response.status_code == 200
    seen = echo_service.by_request_id(rid)[0]["headers"]
    assert "authorization" not in seen
    assert "x-portal-user" not in seen
