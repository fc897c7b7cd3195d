"""Registration (ID-01), profile (ID-02), security questions at registration (ID-03)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from identity import tables


@pytest.mark.req("ID-01")
async def test_a_user_registers_with_an_email_that_becomes_the_user_name(api):
    email = api.new_email()
    body = await api.register(email)
    assert body["email"] == email
    assert body["kind"] == "trade" and body["roles"] == []
    tokens = await api.sign_in(email.upper())  # the user name is the email, any case
    assert tokens["token_type"] == "Bearer"


@pytest.mark.req("ID-01")
async def test_an_email_is_registered_once_whatever_its_case(api, client):
    email = api.new_email()
    await api.register(email)
    response = await client.post(
        "/users",
        json={"email": email.upper(), "password": api.password, "security_questions": api.questions()},
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "email"


@pytest.mark.req("PL-07")
async def test_bad_registration_input_names_each_field_and_changes_nothing(api, client, ctx):
    email = "not-an-email"
    response = await client.post("/users", json={"email": email, "password": 5, "extra": 1})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"email", "password", "security_questions", "extra"} <= fields
    garbage = await client.post("/users", content=b"{not json", headers={"content-type": "application/json"})
    assert garbage.status_code == 422
    assert garbage.headers["content-type"] == "application/problem+json"


@pytest.mark.req("ID-03")
async def test_three_distinct_questions_are_required(api, client):
    base = {"email": api.new_email(), "password": api.password}
    two = await client.post("/users", json={**base, "security_questions": api.questions()[:2]})
    assert two.status_code == 422
    assert two.json()["errors"][0]["field"] == "security_questions"
    same = [{"question_id": 1, "answer": "a1"}, {"question_id": 1, "answer": "b2"}, {"question_id": 2, "answer": "c3"}]
    repeated = await client.post("/users", json={**base, "security_questions": same})
    assert repeated.status_code == 422
    assert "different" in repeated.json()["errors"][0]["message"]
    unknown = [*api.questions()[:2], {"question_id": 999, "answer": "x1"}]
    bad = await client.post("/users", json={**base, "security_questions": unknown})
    assert {"security_questions.2.question_id"} == {e["field"] for e in bad.json()["errors"]}
    # nothing was created by the refusals
    assert (await client.post("/sessions", json={"email": base["email"], "password": api.password})).status_code == 401


@pytest.mark.req("ID-03")
async def test_answers_are_stored_as_argon2id_hashes_never_readable(api, ctx):
    email = api.new_email()
    await api.register(email)
    async with ctx.database.transaction() as session:
        row = (await session.execute(select(tables.users).where(tables.users.c.email == email))).one()
    stored = row.security_answers
    assert len(stored) == 3
    for answer in stored:
        assert answer["answer_hash"].startswith("$argon2id$")
        assert "rex" not in answer["answer_hash"].lower()
    assert row.password_hash.startswith("$argon2id$")


@pytest.mark.req("ID-02")
async def test_a_new_user_completes_the_profile(api, client):
    _, tokens = await api.new_user()
    me = await client.get("/me", headers=api.bearer(tokens))
    assert me.json()["profile_complete"] is False
    profile = {"salutation": "Ms.", "first_name": "Ana", "last_name": "Lopez", "title": "Compliance Officer", "phone": "+1 202 555 0100"}
    response = await client.put("/me/profile", json=profile, headers=api.bearer(tokens))
    assert response.status_code == 200, response.text
    assert response.json()["profile_complete"] is True
    assert response.json()["profile"]["last_name"] == "Lopez"


@pytest.mark.req("ID-02")
async def test_profile_fields_are_each_required_and_validated(api, client):
    _, tokens = await api.new_user()
    response = await client.put(
        "/me/profile", json={"salutation": "King", "first_name": "", "phone": "call me"}, headers=api.bearer(tokens)
    )
    assert response.status_code == 422
    assert {"salutation", "first_name", "last_name", "title", "phone"} <= {e["field"] for e in response.json()["errors"]}
    me = await client.get("/me", headers=api.bearer(tokens))
    assert me.json()["profile_complete"] is False


async def test_profile_needs_a_signed_in_user(client):
    response = await client.put("/me/profile", json={})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    forged = await client.get("/me", headers={"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."})
    assert forged.status_code == 401


async def _profile_events(ctx, user_id: str) -> list:
    from sqlalchemy import select

    from identity import tables

    async with ctx.database.transaction() as session:
        return (
            await session.execute(
                select(tables.outbox.c.payload).where(tables.outbox.c.key == user_id)
                .where(tables.outbox.c.event_type == "UserProfileUpdated.v1")
            )
        ).scalars().all()


@pytest.mark.req("ID-02")
async def test_only_a_complete_profile_is_published_for_the_services_that_gate_trade_actions_on_it(api, client, ctx):
    """Trade-accounts decides "profile complete" from UserProfileUpdated; identity publishes it only when it is."""
    _, tokens = await api.new_user()
    me = (await client.get("/me", headers=api.bearer(tokens))).json()
    assert me["profile_complete"] is False and await _profile_events(ctx, me["id"]) == []
    partial = {"salutation": "Ms.", "first_name": "Ana", "last_name": "Lopez", "title": "", "phone": "+1 202 555 0100"}
    assert (await client.put("/me/profile", json=partial, headers=api.bearer(tokens))).status_code == 422
    assert await _profile_events(ctx, me["id"]) == []
    complete = {**partial, "title": "Compliance Officer"}
    done = await client.put("/me/profile", json=complete, headers=api.bearer(tokens))
    assert done.status_code == 200 and done.json()["profile_complete"] is True
    [event] = await _profile_events(ctx, me["id"])
    assert {k: event[k] for k in complete} == complete and event["version"] == 2
