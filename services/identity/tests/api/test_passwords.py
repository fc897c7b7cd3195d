"""Password rules at the API: DHS rules (ID-04), history (ID-05), expiry (ID-06), changes (ID-07)."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.mark.req("ID-04")
async def test_a_weak_password_is_refused_at_registration_naming_the_field(api, client):
    response = await client.post(
        "/users", json={"email": api.new_email(), "password": "password", "security_questions": api.questions()}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {e["field"] for e in errors} == {"password"}
    assert any("upper-case" in e["message"] for e in errors)


@pytest.mark.req("ID-04")
@pytest.mark.parametrize(("password", "missing"), [("Passwörd12Ab", "special character"), ("Harbor#Crane²x", "digit")])
async def test_non_ascii_characters_count_for_no_class_at_registration(api, client, password, missing):
    email = api.new_email()
    response = await client.post(
        "/users", json={"email": email, "password": password, "security_questions": api.questions()}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {e["field"] for e in errors} == {"password"} and any(missing in e["message"] for e in errors)
    assert (await client.post("/sessions", json={"email": email, "password": password})).status_code == 401


async def test_a_64_character_password_works_whole(api, client):
    long_password = "Tr@de-Compliance-" + "x" * 60 + "-End9"
    email = api.new_email()
    await api.register(email, password=long_password)
    await api.sign_in(email, long_password)
    truncated = await client.post("/sessions", json={"email": email, "password": long_password[:64]})
    assert truncated.status_code == 401


@pytest.mark.req("ID-07")
async def test_changing_the_password_needs_the_current_one(api, client):
    email, tokens = await api.new_user()
    wrong = await client.post(
        "/me/password", json={"current_password": "Wrong#Pass1", "new_password": "Fresh#Pass2"},
        headers=api.bearer(tokens),
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "current_password"
    ok = await client.post(
        "/me/password", json={"current_password": api.password, "new_password": "Fresh#Pass2"},
        headers=api.bearer(tokens),
    )
    assert ok.status_code == 200, ok.text
    await api.sign_in(email, "Fresh#Pass2")
    assert (await client.post("/sessions", json={"email": email, "password": api.password})).status_code == 401


@pytest.mark.req("ID-05")
async def test_the_last_eight_passwords_cannot_be_reused(api, client):
    email, tokens = await api.new_user()
    passwords = [api.password] + [f"Rotate#{n}Pass" for n in range(1, 9)]
    for previous, new in zip(passwords, passwords[1:], strict=False):
        response = await client.post(
            "/me/password", json={"current_password": previous, "new_password": new}, headers=api.bearer(tokens)
        )
        assert response.status_code == 200, response.text
        tokens = response.json()
    current = passwords[-1]
    # the last 8 passwords (the current one included) are refused
    for old in passwords[1:]:
        refused = await client.post(
            "/me/password", json={"current_password": current, "new_password": old}, headers=api.bearer(tokens)
        )
        assert refused.status_code == 422, old
        assert "last 8" in refused.json()["errors"][0]["message"]
    # the ninth back is allowed again
    allowed = await client.post(
        "/me/password", json={"current_password": current, "new_password": passwords[0]}, headers=api.bearer(tokens)
    )
    assert allowed.status_code == 200, allowed.text


@pytest.mark.req("ID-06")
async def test_an_expired_password_leaves_only_set_a_new_password(api, client, clock):
    email = api.new_email()
    await api.register(email)
    clock.advance(timedelta(days=90, minutes=1))
    tokens = await api.sign_in(email)
    assert tokens["password_expired"] is True
    headers = api.bearer(tokens)
    profile = {"salutation": "Mr.", "first_name": "Li", "last_name": "Wei", "title": "Broker", "phone": "2025550101"}
    blocked = await client.put("/me/profile", json=profile, headers=headers)
    assert blocked.status_code == 403
    assert blocked.json()["type"].endswith("/password-expired")
    assert (await client.post("/me/email", json={"current_password": api.password, "new_email": api.new_email()}, headers=headers)).status_code == 403
    changed = await client.post(
        "/me/password", json={"current_password": api.password, "new_password": "Renewed#Pass7"}, headers=headers
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["password_expired"] is False
    unblocked = await client.put("/me/profile", json=profile, headers=api.bearer(changed.json()))
    assert unblocked.status_code == 200


@pytest.mark.req("ID-07")
async def test_changing_security_questions_needs_the_current_answers(api, client):
    email, tokens = await api.new_user()
    new_questions = [
        {"question_id": 4, "answer": "Volvo"}, {"question_id": 5, "answer": "Lincoln"}, {"question_id": 6, "answer": "Elm"}
    ]
    wrong = await client.put(
        "/me/security-questions",
        json={"current_answers": api.questions(a1="Max"), "security_questions": new_questions},
        headers=api.bearer(tokens),
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "current_answers"
    ok = await client.put(
        "/me/security-questions",
        json={"current_answers": api.questions(a1=" REX "), "security_questions": new_questions},
        headers=api.bearer(tokens),
    )
    assert ok.status_code == 200, ok.text
    # the new answers now guard the reset
    again = await client.put(
        "/me/security-questions",
        json={"current_answers": api.questions(), "security_questions": new_questions},
        headers=api.bearer(tokens),
    )
    assert again.status_code == 422


async def test_the_user_reads_which_questions_they_chose_but_never_the_answers(api, client):
    email, tokens = await api.new_user()
    chosen = await client.get("/me/security-questions", headers=api.bearer(tokens))
    assert chosen.status_code == 200, chosen.text
    assert [q["question_id"] for q in chosen.json()] == [a["question_id"] for a in api.questions()]
    assert all(q["text"] and set(q) == {"question_id", "text"} for q in chosen.json())
    assert not any(answer in chosen.text for answer in ("Rex", "Springfield", "Smith"))
