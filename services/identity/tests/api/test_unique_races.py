"""Racing for one email: exactly one request wins, every other gets a 409 naming the field, never a 500 (ID-01)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

RACERS = 8


def outcome(responses) -> tuple[list[int], list]:
    statuses = sorted(r.status_code for r in responses)
    fields = [[e["field"] for e in r.json().get("errors", [])] for r in responses if r.status_code == 409]
    return statuses, fields


@pytest.mark.req("ID-01")
async def test_concurrent_registrations_of_one_email_give_one_account_and_only_409s(client, api):
    email = f"race-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": api.password, "security_questions": api.questions()}
    responses = await asyncio.gather(*(client.post("/users", json=body) for _ in range(RACERS)))
    statuses, fields = outcome(responses)
    assert statuses == [201] + [409] * (RACERS - 1), [r.text for r in responses]
    assert all(f == ["email"] for f in fields), fields
    for r in responses:
        if r.status_code == 409:
            assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.req("ID-01")
async def test_concurrent_email_changes_to_one_address_give_one_success_and_only_409s(client, api):
    users = [await api.new_user() for _ in range(RACERS)]
    wanted = f"wanted-{uuid.uuid4().hex[:10]}@example.com"
    responses = await asyncio.gather(*(
        client.post("/me/email", json={"current_password": api.password, "new_email": wanted},
                    headers=api.bearer(tokens))
        for _, tokens in users
    ))
    statuses, fields = outcome(responses)
    assert statuses == [200] + [409] * (RACERS - 1), [r.text for r in responses]
    assert all(f == ["new_email"] for f in fields), fields
    owners = [email for (email, tokens) in users
              if (await client.get("/me", headers=api.bearer(tokens))).json()["email"] == wanted]
    assert len(owners) == 1
